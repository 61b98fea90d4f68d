'use client';
/**
 * The phase registry in the browser: the console layout hands over the phases' identities (plain
 * data, no executor code; lib/runbook/phases/index.ts) and client components read labels, routes
 * and options from the registry rebuilt here.
 */
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { createPhaseRegistry, type PhaseIdentity, type PhaseRegistry } from '@/lib/runbook/engine/phase-registry';

const PhaseCatalogContext = createContext<PhaseRegistry | null>(null);

export function PhaseCatalogProvider({ identities, children }: { identities: PhaseIdentity[]; children: ReactNode }) {
  const registry = useMemo(() => createPhaseRegistry(identities), [identities]);
  return <PhaseCatalogContext.Provider value={registry}>{children}</PhaseCatalogContext.Provider>;
}

export function usePhaseCatalog(): PhaseRegistry {
  const registry = useContext(PhaseCatalogContext);
  if (!registry) throw new Error('usePhaseCatalog needs the PhaseCatalogProvider of app/(console)/layout.tsx');
  return registry;
}
