/**
 * The simulations the worker can load: every `labs/<id>/sim/index.ts`, each a lazily imported
 * chunk, so the worker only pays for the lab that is open.
 */
import type { AnyLabSim } from './runner';

const simLoaders = import.meta.glob<{ default: AnyLabSim }>('../labs/*/sim/index.ts');

export async function loadLabSim(labId: string): Promise<AnyLabSim> {
  const loader = simLoaders[`../labs/${labId}/sim/index.ts`];
  if (!loader) throw new Error(`Unknown lab "${labId}".`);
  return (await loader()).default;
}
