/**
 * Where the process is put together, once, by each entry (node.ts, worker.ts, the test harness):
 * the parts every request and job share, and the collaborators areas need from each other but
 * must not import (the imports would run both ways). Nothing registers itself at import time; a
 * collaborator left out here is a type error in Deps, not a silent skip at run time.
 */
import { createCaches } from './caches';
import type { Deps, SessionUser } from './context';
import { supplyChainOrderHooks } from './services/supply';

export function composeDeps(parts: Omit<Deps, 'supplyChain' | 'caches'>): Deps {
  return {
    ...parts,
    // Per process: every request of this process shares them.
    caches: createCaches<SessionUser>(),
    // Orders reserve, fulfil and release supplier stock through the supply chain.
    supplyChain: supplyChainOrderHooks,
  };
}
