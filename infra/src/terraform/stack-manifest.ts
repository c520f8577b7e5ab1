import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One synthesized stack as `cdktf.out/manifest.json` lists it. */
export interface SynthesizedStack {
  name: string;
  /** Absolute folder holding the stack's `cdk.tf.json`, where Terraform runs. */
  dir: string;
  /** Stacks whose outputs this one reads (through `terraform_remote_state`). */
  dependencies: string[];
}

interface Manifest {
  stacks: Record<string, { name: string; workingDirectory: string; dependencies: string[] }>;
}

/** The stacks of a synth output folder, optionally only those whose name starts with a prefix. */
export function readStacks(outdir: string, namePrefix = ''): SynthesizedStack[] {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  return Object.values(manifest.stacks)
    .filter((stack) => stack.name.startsWith(namePrefix))
    .map((stack) => ({ name: stack.name, dir: path.resolve(outdir, stack.workingDirectory), dependencies: stack.dependencies }));
}

/** Stacks in an order where every stack follows the stacks it reads (deploy order; reverse it to destroy). */
export function deployOrder(stacks: SynthesizedStack[]): SynthesizedStack[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const ordered: SynthesizedStack[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (stack: SynthesizedStack, trail: string[]) => {
    if (state.get(stack.name) === 'done') return;
    if (state.get(stack.name) === 'visiting') throw new Error(`stack dependency cycle: ${[...trail, stack.name].join(' → ')}`);
    state.set(stack.name, 'visiting');
    for (const dependency of stack.dependencies) {
      const upstream = byName.get(dependency);
      if (upstream) visit(upstream, [...trail, stack.name]);
    }
    state.set(stack.name, 'done');
    ordered.push(stack);
  };
  for (const stack of [...stacks].sort((a, b) => a.name.localeCompare(b.name))) visit(stack, []);
  return ordered;
}

/**
 * Runs `work` on every stack, at most `concurrency` at once, each only after the stacks it depends on
 * (or, with `reverse`, after the stacks that depend on it) have finished. The first failure stops
 * new work and is thrown once running work settles.
 */
export async function forEachStackInOrder(
  stacks: SynthesizedStack[],
  work: (stack: SynthesizedStack) => Promise<void>,
  options: { concurrency?: number; reverse?: boolean } = {},
): Promise<void> {
  const names = new Set(stacks.map((s) => s.name));
  const waitsFor = new Map<string, Set<string>>(stacks.map((s) => [s.name, new Set<string>()]));
  for (const stack of stacks) {
    for (const dependency of stack.dependencies.filter((d) => names.has(d))) {
      if (options.reverse) waitsFor.get(dependency)!.add(stack.name);
      else waitsFor.get(stack.name)!.add(dependency);
    }
  }
  deployOrder(stacks); // throws on a cycle before anything runs
  const pending = [...stacks];
  const finished = new Set<string>();
  const running = new Set<Promise<void>>();
  let failure: unknown;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  while (pending.length > 0 || running.size > 0) {
    while (failure === undefined && running.size < concurrency) {
      const index = pending.findIndex((s) => [...waitsFor.get(s.name)!].every((d) => finished.has(d)));
      if (index < 0) break;
      const [stack] = pending.splice(index, 1);
      const task: Promise<void> = work(stack!)
        .then(() => void finished.add(stack!.name))
        .catch((error: unknown) => void (failure ??= error))
        .finally(() => running.delete(task));
      running.add(task);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (failure !== undefined) throw failure;
}
