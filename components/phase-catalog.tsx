'use client';
/**
 * The phase registry in the browser: the console layout hands over the phases' identities (plain
 * data, no executor code; lib/runbook/phases/index.ts) and client components read labels, routes
 * and options from the registry rebuilt here.
 */
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { createPhaseRegistry, type PhaseIdentity, type PhaseRegistry } from '@/lib/runbook/engine/phase-registry';
import type { ApprovalKind, PhaseId } from '@/lib/runbook/phases';

/** The identities the layout hands over: ids and approval kinds are the registry's unions. */
type CatalogIdentity = PhaseIdentity<PhaseId, ApprovalKind>;

const PhaseCatalogContext = createContext<PhaseRegistry<CatalogIdentity> | null>(null);

export function PhaseCatalogProvider({ identities, children }: { identities: CatalogIdentity[]; children: ReactNode }) {
  const registry = useMemo(() => createPhaseRegistry(identities), [identities]);
  return <PhaseCatalogContext.Provider value={registry}>{children}</PhaseCatalogContext.Provider>;
}

export function usePhaseCatalog(): PhaseRegistry<CatalogIdentity> {
  const registry = useContext(PhaseCatalogContext);
  if (!registry) throw new Error('usePhaseCatalog needs the PhaseCatalogProvider of app/(console)/layout.tsx');
  return registry;
}
