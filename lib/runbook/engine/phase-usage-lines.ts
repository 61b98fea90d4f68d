/**
 * The CLI's usage text for previewing and starting phases, written from a phase registry (so a new phase, option or
 * action shows up in `npm run cutover` without touching the CLI).
 */
import type { PhaseRegistry } from './phase-registry';

/**
 * The CLI's help for previewing and starting phases, from the registry: one line per phase the
 * runner runs, with its options, its confirmation word and its approver, so a new phase, option
 * or action shows up in the CLI's usage without touching the CLI.
 */
export function phaseUsageLines(registry: PhaseRegistry): string[] {
  const runnable = registry.all.filter((p) => p.executedBy === 'runner');
  const rows: [string, string][] = [
    ['preview PHASE [--OPTION VALUE]', `what a phase will run (PHASE: ${runnable.map((p) => p.id).join(', ')})`],
  ];
  for (const phase of runnable) {
    const options = phase.options.map((o) => {
      const values = `--${o.name} ${o.input === 'minute' ? 'MINUTE' : o.choices.map((c) => c.value).join('|')}`;
      return o.default === undefined ? values : `[${values}]`;
    });
    if (phase.confirmation) options.push(`--confirm ${phase.confirmation}`);
    const approval = phase.approval
      ? `; ${phase.approval.when ? `with --${phase.approval.when.option} ${phase.approval.when.value}, ` : ''}then an approver types ${phase.approval.word}`
      : '';
    const name = registry.label(phase.id) === phase.title ? phase.title : `${registry.label(phase.id)}: ${phase.title}`;
    rows.push([[`run ${phase.id}`, ...options].join(' '), `${name}${approval}`]);
  }
  const width = Math.max(...rows.map(([command]) => command.length));
  return rows.map(([command, text]) => `${command.padEnd(width)}  ${text}`);
}
