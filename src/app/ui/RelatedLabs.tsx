/** Links from one lab to the others where their concepts meet (each lab's `lab.ts` lists them). */
import { Link } from '@tanstack/react-router';
import { findLab } from '../../labs/registry';

/** Query text to search params, with numbers as numbers (as the labs write them). */
function searchOf(query = ''): Record<string, string | number> {
  return Object.fromEntries(
    [...new URLSearchParams(query)].map(([key, value]) => [
      key,
      /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value,
    ]),
  );
}

export function RelatedLabs({ labId }: { labId: string }) {
  const links = (findLab(labId)?.related ?? []).flatMap((related) => {
    const target = findLab(related.id);
    return target ? [{ ...related, title: target.title }] : [];
  });
  if (links.length === 0) return null;
  return (
    <nav className="panel related-labs" aria-labelledby="related-labs-title">
      <h2 id="related-labs-title">Where this meets other labs</h2>
      <ul>
        {links.map((link) => (
          <li key={`${link.id}?${link.query ?? ''}`}>
            <Link
              to="/labs/$labId"
              params={{ labId: link.id }}
              search={searchOf(link.query)}
              data-testid={`related-${link.id}`}
            >
              {link.title} →
            </Link>{' '}
            <span>{link.text}</span>
          </li>
        ))}
      </ul>
    </nav>
  );
}
