/**
 * Links between labs where their concepts meet (issue 9): every related-lab link each lab lists
 * is shown on its page and opens the other lab at the setup it names, with no notice (the query
 * is valid there).
 */
import { expect, test } from '@playwright/test';
import { collectPageErrors, LAB_ENTRIES } from './support';

const WITH_LINKS = LAB_ENTRIES.filter((lab) => (lab.related ?? []).length > 0);

test('the labs the issue names link to each other', () => {
  const linked = (from: string, to: string) =>
    LAB_ENTRIES.find((lab) => lab.id === from)?.related?.some((related) => related.id === to);
  expect(linked('hash-ring', 'quorum')).toBe(true);
  expect(linked('webhooks', 'rate-limiter')).toBe(true);
  expect(linked('load-balancer', 'hash-ring')).toBe(true);
  expect(linked('hash-ring', 'load-balancer')).toBe(true);
});

for (const lab of WITH_LINKS) {
  test(`${lab.id}: its related-lab links open the other labs at their setups`, async ({ page }) => {
    const errors = collectPageErrors(page);
    for (const related of lab.related ?? []) {
      const target = LAB_ENTRIES.find((entry) => entry.id === related.id);
      expect(target, `${related.id} exists`).toBeDefined();
      await page.goto(`/#/labs/${lab.id}`);
      const nav = page.getByRole('navigation', { name: 'Where this meets other labs' });
      await expect(nav).toContainText(related.text);
      await nav.getByTestId(`related-${related.id}`).first().click();
      await expect(page.getByRole('heading', { level: 1, name: target!.title })).toBeVisible();
      await expect(page).toHaveURL(new RegExp(`#/labs/${related.id}`));
      for (const [key, value] of new URLSearchParams(related.query ?? '')) {
        expect(new URL(page.url().replace('#/', '')).searchParams.get(key)).toBe(value);
      }
      await expect(page.getByTestId('notices')).toHaveCount(0);
    }
    expect(errors).toEqual([]);
  });
}
