/**
 * Routing: hash history (`#/labs/hash-ring?...`), so the built site works from any static host
 * and sub-path, with deep links and reloads.
 */
import {
  createHashHistory,
  createRootRoute,
  createRoute,
  createRouter,
  Link,
  Outlet,
  RouterProvider,
  useParams,
  useRouterState,
  useSearch,
} from '@tanstack/react-router';
import { domAnimation, LazyMotion, MotionConfig } from 'framer-motion';
import { lazy, Suspense, useMemo } from 'react';
import { findLab } from '../labs/registry';
import { isEmbedSearch } from './embed';
import { Home } from './Home';
import { type ThemeChoice, useTheme } from './theme';

function RootLayout() {
  const [theme, setTheme] = useTheme();
  // An embedded lab (`?embed=1`) shows no site chrome: only the lab's stage and playback bar.
  const embed = useRouterState({
    select: (state) => isEmbedSearch(state.location.search as Record<string, unknown>),
  });
  return (
    // LazyMotion with the small DOM feature set keeps framer-motion out of every lab's chunk.
    <LazyMotion features={domAnimation} strict>
      <MotionConfig reducedMotion="user">
        {embed ? null : (
          <>
            <a className="skip-link" href="#main">
              Skip to content
            </a>
            <TopBar theme={theme} setTheme={setTheme} />
          </>
        )}
        <main id="main" tabIndex={-1} className={embed ? 'embedded' : undefined}>
          <Outlet />
        </main>
      </MotionConfig>
    </LazyMotion>
  );
}

function TopBar({
  theme,
  setTheme,
}: {
  theme: ThemeChoice;
  setTheme: (choice: ThemeChoice) => void;
}) {
  return (
    <div className="topbar">
      <Link to="/" className="brand">
        System Design Lab
      </Link>
      <label className="theme-picker">
        <span className="visually-hidden">Theme</span>
        <select
          value={theme}
          onChange={(e) => setTheme(e.target.value as ThemeChoice)}
          aria-label="Theme"
        >
          <option value="system">System theme</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </label>
    </div>
  );
}

function LabRoute() {
  const { labId } = useParams({ strict: false }) as { labId: string };
  const search = useSearch({ strict: false }) as Record<string, unknown>;
  const lab = findLab(labId);
  const Page = useMemo(() => (lab ? lazy(lab.load) : null), [lab]);
  if (!lab || !Page) return <NotFound message={`There is no lab called "${labId}".`} />;
  return (
    <Suspense fallback={<p className="loading">Loading {lab.title}…</p>}>
      <Page search={search} />
    </Suspense>
  );
}

function NotFound({ message }: { message: string }) {
  return (
    <div className="not-found">
      <h1>Not found</h1>
      <p>{message}</p>
      <Link to="/">See all labs</Link>
    </div>
  );
}

const rootRoute = createRootRoute({
  component: RootLayout,
  notFoundComponent: () => <NotFound message="There is no page at this address." />,
});
const homeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: Home });
const labRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/labs/$labId',
  component: LabRoute,
});

export const router = createRouter({
  routeTree: rootRoute.addChildren([homeRoute, labRoute]),
  history: createHashHistory(),
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

export function App() {
  return <RouterProvider router={router} />;
}
