import { cacheInfo, pruneCache } from '../cache/manage-cache.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';

export const CACHE_USAGE = `  cache ls [--dir D] [--json]     list cached calls (newest use first) and the cache's size
  cache prune [--older-than 7d] [--max-size 2g] [--dir D]
                                  remove calls unused for that long, then least recently used
                                  ones until the cache fits; default dir: <TOOLDOCK_HOME>/cache`;

/**
 * `tooldock cache ls|prune`: the result cache from the command line. Returns the exit code;
 * writes its report through `print`.
 */
export async function cacheCommand(args: string[], print: (line: string) => void = console.log): Promise<number> {
  const [sub, ...rest] = args;
  try {
    const flags = parseFlags(rest);
    if (sub === 'ls') return await list(flags, print);
    if (sub === 'prune') return await prune(flags, print);
    print(`unknown cache command: ${sub ?? '(none)'}\nusage: tooldock\n${CACHE_USAGE}`);
    return 2;
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    print(error.message);
    return 2;
  }
}

async function list(flags: Map<string, string>, print: (line: string) => void): Promise<number> {
  const info = await cacheInfo(flags.has('dir') ? { dir: flags.get('dir')! } : {});
  if (flags.has('json')) {
    print(JSON.stringify(info, null, 2));
    return 0;
  }
  for (const e of info.entries) {
    print(`${e.key.slice(0, 12)}  ${e.lastUsedAt.toISOString()}  ${size(e.bytes).padStart(9)}  ${e.image}  ${e.command}`);
  }
  print(`${info.entries.length} cached call(s), ${size(info.bytes)} in ${info.dir}`);
  return 0;
}

async function prune(flags: Map<string, string>, print: (line: string) => void): Promise<number> {
  const olderThan = flags.get('older-than');
  const maxSize = flags.get('max-size');
  if (olderThan === undefined && maxSize === undefined) {
    print('cache prune needs --older-than (e.g. 7d) and/or --max-size (e.g. 2g)');
    return 2;
  }
  const { removed, freedBytes } = await pruneCache({
    ...(flags.has('dir') ? { dir: flags.get('dir')! } : {}),
    ...(olderThan !== undefined ? { olderThan } : {}),
    ...(maxSize !== undefined ? { maxSize } : {}),
  });
  print(`removed ${removed} cached call(s), freed ${size(freedBytes)}`);
  return 0;
}

const VALUED = new Set(['dir', 'older-than', 'max-size']);

/** `--name value`, `--name=value`, or a bare `--json`. */
function parseFlags(args: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]!);
    if (!match) throw new InvalidInputError('tooldock cache', args[i], 'is not a flag; flags are --dir, --json, --older-than, --max-size');
    const name = match[1]!;
    if (!VALUED.has(name) && name !== 'json')
      throw new InvalidInputError('tooldock cache', args[i], 'is not a known flag (--dir, --json, --older-than, --max-size)');
    const value = VALUED.has(name) ? (match[2] ?? args[++i]) : '';
    if (value === undefined) throw new InvalidInputError(`--${name}`, value, 'needs a value');
    flags.set(name, value);
  }
  return flags;
}

function size(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}
