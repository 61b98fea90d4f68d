/** Peak resident memory (VmHWM) of a process and its descendants, from /proc. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

function childrenOf(pid: number): number[] {
  const tasks = `/proc/${pid}/task`;
  if (!existsSync(tasks)) return [];
  return readdirSync(tasks).flatMap((tid) => {
    try {
      return readFileSync(`${tasks}/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

function peakKiB(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Sum of the peaks of the process tree in MiB (a tree's processes peak at different moments: an upper bound). */
export function peakMemoryMiB(pid: number | undefined): number | null {
  if (!pid) return null;
  const seen = new Set<number>();
  const visit = (p: number): number => {
    if (seen.has(p)) return 0;
    seen.add(p);
    return peakKiB(p) + childrenOf(p).reduce((sum, c) => sum + visit(c), 0);
  };
  const kib = visit(pid);
  return kib > 0 ? Math.round(kib / 1024) : null;
}
