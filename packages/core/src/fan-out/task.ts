import type { Engine } from '../backends/engine.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { MountSpec } from '../api/mount-spec.js';
import type { RunOptions } from '../api/options.js';
import type { RunSpec } from '../lifecycle/run-container.js';
import { prepareRun } from '../api/run-tool.js';
import { toolName } from '../lifecycle/tool-name.js';

/** A tool run: the same arguments as {@link runTool}. */
export interface ToolTask {
  image: string;
  args: string[];
  mounts?: MountSpec[];
  options?: RunOptions;
  /** Shown in progress; defaults to the tool and its first argument. */
  name?: string;
}

/** Any multi-step work (recipe calls, several tools per sample); must honour `signal`. */
export type FunctionTask<T> = (signal: AbortSignal) => Promise<T>;

/** One unit of a fan-out. */
export type Task<T = unknown> = ToolTask | FunctionTask<T>;

/** A task checked and ready to start. */
export type PreparedTask<T> = { kind: 'tool'; name: string; spec: RunSpec } | { kind: 'function'; name: string; run: FunctionTask<T> };

/**
 * Validates every task before any starts, so a typo in task 57 fails at once, not after an hour.
 * Errors name the task: `tasks[3].options.cpus: -1 is not valid: …`.
 */
export function prepareTasks<T>(tasks: unknown, engine: Engine | undefined): PreparedTask<T>[] {
  if (!Array.isArray(tasks)) {
    throw new InvalidInputError('tasks', tasks, 'must be an array of { image, args, mounts?, options?, name? } or (signal) => Promise');
  }
  return tasks.map((task: unknown, i): PreparedTask<T> => {
    if (typeof task === 'function') {
      return { kind: 'function', name: task.name || `task ${i + 1}`, run: task as FunctionTask<T> };
    }
    if (typeof task !== 'object' || task === null || Array.isArray(task)) {
      throw new InvalidInputError(`tasks[${i}]`, task, 'must be { image, args, mounts?, options?, name? } or (signal) => Promise');
    }
    const { image, args, mounts, options, name, ...rest } = task as ToolTask & Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown) {
      throw new InvalidInputError(
        `tasks[${i}].${unknown}`,
        rest[unknown],
        `"${unknown}" is not a task field; use image, args, mounts, options, name`,
      );
    }
    if (name !== undefined && typeof name !== 'string') throw new InvalidInputError(`tasks[${i}].name`, name, 'must be a string');
    // Checked before the fan-out's engine is merged in: spreading a string would invent keys.
    if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
      throw new InvalidInputError(`tasks[${i}].options`, options, 'must be an object of runTool options, e.g. { cpus: 2 }');
    }
    try {
      const spec = prepareRun(image, args, mounts, engine && !options?.engine ? { ...options, engine } : options);
      return { kind: 'tool', name: name ?? `${toolName(image, args)} ${args.slice(1).find((a) => !a.startsWith('-')) ?? ''}`.trim(), spec };
    } catch (error) {
      if (error instanceof InvalidInputError) throw new InvalidInputError(`tasks[${i}].${error.field}`, error.value, error.expected);
      throw error;
    }
  });
}
