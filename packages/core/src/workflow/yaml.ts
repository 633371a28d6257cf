/** A JSON-like value a YAML document is made of. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

/**
 * Block-style YAML for plain data (what CWL documents are): every string double-quoted with
 * JSON's escapes (valid YAML), keys bare when they are plain words. Deterministic: the same
 * value gives the same text, so a re-export changes only what changed.
 */
export function toYaml(value: YamlValue): string {
  return `${lines(value, 0).join('\n')}\n`;
}

function lines(value: YamlValue, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    return value.flatMap((item) => {
      if (isScalar(item) || isEmpty(item)) return [`${pad}- ${scalar(item)}`];
      const [first, ...rest] = lines(item, indent + 2);
      return [`${pad}- ${first!.slice(indent + 2)}`, ...rest];
    });
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined) as Array<[string, YamlValue]>;
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([key, item]) => {
      const k = /^[A-Za-z_][\w.-]*$/.test(key) ? key : JSON.stringify(key);
      if (isScalar(item) || isEmpty(item)) return [`${pad}${k}: ${scalar(item)}`];
      return [`${pad}${k}:`, ...lines(item, indent + 2)];
    });
  }
  return [`${pad}${scalar(value)}`];
}

function isScalar(value: YamlValue): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

function isEmpty(value: YamlValue): boolean {
  return Array.isArray(value)
    ? value.length === 0
    : typeof value === 'object' && value !== null && Object.values(value).every((v) => v === undefined);
}

function scalar(value: YamlValue): string {
  if (Array.isArray(value)) return '[]';
  if (value !== null && typeof value === 'object') return '{}';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
