/**
 * The verdict of a dry run (docs/phases.md "Validate — before the night"): each item is GO, NO-GO
 * (the plan cannot go through as it stands) or a FINDING (something the plan's own steps handle:
 * phase 2's fix, the earlier attempt's rows, holes in history). Overall GO only without a NO-GO.
 */
import type { ValidationItem, ValidationVerdict } from '../../db/console-schema';

export type { ValidationItem, ValidationVerdict };

type Group = ValidationItem['group'];

export function go(group: Group, name: string, reason: string, evidence?: unknown): ValidationItem {
  return { group, name, status: 'go', reason, ...(evidence === undefined ? {} : { evidence }) };
}

export function noGo(group: Group, name: string, reason: string, evidence?: unknown): ValidationItem {
  return { group, name, status: 'no-go', reason, ...(evidence === undefined ? {} : { evidence }) };
}

export function finding(group: Group, name: string, reason: string, evidence?: unknown): ValidationItem {
  return { group, name, status: 'finding', reason, ...(evidence === undefined ? {} : { evidence }) };
}

export function verdictOf(items: readonly ValidationItem[]): ValidationVerdict {
  return items.some((item) => item.status === 'no-go') ? 'no-go' : 'go';
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
