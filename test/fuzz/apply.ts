import { numericKeys } from './dictionary.js';
import {
  type Content,
  type FuzzInput,
  type Replacement,
  type StructuralMutation,
  type TextMutation,
} from './mutations.js';

type Container = Record<string, unknown> | unknown[];

/** A place in the document: the value at `parent[key]` (the root sits in a holder object). */
interface Slot {
  parent: Container;
  key: string | number;
  value: unknown;
}

const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  isContainer(value) && !Array.isArray(value);

/** Every slot of the document, depth first, without recursion (documents may be deep already). */
function slotsOf(holder: { root: unknown }): Slot[] {
  const out: Slot[] = [];
  const stack: Slot[] = [{ parent: holder, key: 'root', value: holder.root }];
  while (stack.length > 0) {
    const slot = stack.pop()!;
    out.push(slot);
    const { value } = slot;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ parent: value, key: i, value: value[i] });
    } else if (isPlainObject(value)) {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ parent: value, key, value: value[key] });
      }
    }
  }
  return out;
}

function set(slot: Slot, value: unknown): void {
  // defineProperty, so that a key like "__proto__" becomes an own field as JSON.parse makes it.
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else
    Object.defineProperty(slot.parent, slot.key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

function remove(slot: Slot): void {
  if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
  else delete slot.parent[slot.key as string];
}

/** Text that JSON.stringify cannot write, spliced in after serialisation. */
class RawTexts {
  private readonly texts: string[] = [];

  placeholder(replacement: Replacement): unknown {
    if (replacement.kind === 'json') return structuredClone(replacement.value);
    this.texts.push(RawTexts.render(replacement));
    return `__FUZZ_RAW_${this.texts.length - 1}__`;
  }

  splice(json: string): string {
    let out = json;
    this.texts.forEach((text, i) => {
      out = out.split(`"__FUZZ_RAW_${i}__"`).join(text);
    });
    return out;
  }

  private static render(replacement: Exclude<Replacement, { kind: 'json' }>): string {
    switch (replacement.kind) {
      case 'raw':
        return replacement.text;
      case 'deep':
        return replacement.shape === 'array'
          ? '['.repeat(replacement.depth) + ']'.repeat(replacement.depth)
          : '{"a":'.repeat(replacement.depth) + '1' + '}'.repeat(replacement.depth);
      case 'big': {
        const unitBytes = Buffer.byteLength(replacement.unit);
        return JSON.stringify(
          replacement.unit.repeat(Math.max(1, Math.floor(replacement.bytes / unitBytes))),
        );
      }
    }
  }
}

function pickFrom<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

function applyStructural(holder: { root: unknown }, mutation: StructuralMutation, raw: RawTexts): void {
  const all = slotsOf(holder);
  const inner = all.slice(1);
  switch (mutation.kind) {
    case 'replace': {
      const slot = pickFrom(all, mutation.pick);
      if (slot) set(slot, raw.placeholder(mutation.with));
      return;
    }
    case 'number': {
      const numeric = all.filter(
        (s) => typeof s.value === 'number' || (typeof s.key === 'string' && numericKeys.has(s.key)),
      );
      const slot = pickFrom(numeric.length > 0 ? numeric : all, mutation.pick);
      if (slot) set(slot, raw.placeholder(mutation.with));
      return;
    }
    case 'delete': {
      const slot = pickFrom(inner, mutation.pick);
      if (slot) remove(slot);
      return;
    }
    case 'null': {
      const slot = pickFrom(all, mutation.pick);
      if (slot) set(slot, null);
      return;
    }
    case 'extra': {
      const target = pickFrom(
        all.filter((s) => isPlainObject(s.value)),
        mutation.pick,
      );
      if (target) {
        Object.defineProperty(target.value, mutation.key, {
          value: raw.placeholder(mutation.with),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return;
    }
    case 'duplicate': {
      const slot = pickFrom(
        inner.filter((s) => Array.isArray(s.parent)),
        mutation.pick,
      );
      if (slot && Array.isArray(slot.parent))
        slot.parent.splice((slot.key as number) + 1, 0, structuredClone(slot.value));
      return;
    }
    case 'empty': {
      const slot = pickFrom(
        all.filter((s) => isContainer(s.value)),
        mutation.pick,
      );
      if (slot) set(slot, Array.isArray(slot.value) ? [] : {});
      return;
    }
    case 'wrap': {
      const slot = pickFrom(all, mutation.pick);
      if (slot) set(slot, [slot.value]);
      return;
    }
    case 'unwrap': {
      const slot = pickFrom(
        all.filter((s) => isContainer(s.value)),
        mutation.pick,
      );
      if (!slot) return;
      const values = Array.isArray(slot.value) ? slot.value : Object.values(slot.value as object);
      set(slot, (values[0] as unknown) ?? null);
      return;
    }
  }
}

/** The JSON text with the structural mutations applied; unchanged when it does not parse. */
function mutateJson(text: string, mutations: readonly StructuralMutation[]): string {
  if (mutations.length === 0) return text;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return text;
  }
  const holder = { root };
  const raw = new RawTexts();
  for (const mutation of mutations) applyStructural(holder, mutation, raw);
  return raw.splice(JSON.stringify(holder.root));
}

function render(content: Content): string {
  return 'text' in content ? content.text : '['.repeat(content.depth) + ']'.repeat(content.depth);
}

function hugeLine(bytes: number, json: boolean): string {
  const pad = 'x'.repeat(bytes);
  return json ? `{"op":"mcm","type":"odds","pt":1,"clk":"${pad}","pad":"${pad.slice(0, 16)}"}` : pad;
}

function applyLines(buffer: Buffer, mutation: TextMutation): Buffer {
  const lines = buffer.toString('utf8').split('\n');
  const n = lines.length;
  switch (mutation.kind) {
    case 'dropLine':
      lines.splice(mutation.pick % n, 1);
      break;
    case 'duplicateLine': {
      const i = mutation.pick % n;
      lines.splice(i, 0, lines[i]!);
      break;
    }
    case 'joinLine': {
      const i = mutation.pick % n;
      if (i + 1 < n) lines.splice(i, 2, lines[i]! + lines[i + 1]!);
      break;
    }
    case 'blankLines':
      lines.splice(mutation.pick % (n + 1), 0, '', '   ', '\r', '\t');
      break;
    case 'swapLines': {
      const a = mutation.a % n;
      const b = mutation.b % n;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      break;
    }
    case 'replaceLine':
      lines[mutation.pick % n] = render(mutation.content);
      break;
    case 'hugeLine':
      lines.splice(mutation.pick % (n + 1), 0, hugeLine(mutation.bytes, mutation.json));
      break;
    default:
      break;
  }
  return Buffer.from(lines.join('\n'), 'utf8');
}

function applyText(buffer: Buffer, mutation: TextMutation): Buffer {
  const length = buffer.length;
  switch (mutation.kind) {
    case 'truncate':
      return buffer.subarray(0, mutation.at % (length + 1));
    case 'insertBytes': {
      const at = mutation.at % (length + 1);
      return Buffer.concat([buffer.subarray(0, at), Buffer.from(mutation.bytes), buffer.subarray(at)]);
    }
    case 'flip': {
      if (length === 0) return buffer;
      const copy = Buffer.from(buffer);
      const at = mutation.at % length;
      copy[at] = copy[at]! ^ mutation.xor;
      return copy;
    }
    case 'cut': {
      const at = mutation.at % (length + 1);
      return Buffer.concat([buffer.subarray(0, at), buffer.subarray(at + mutation.length)]);
    }
    case 'prefix':
      return Buffer.concat([Buffer.from(mutation.text, 'utf8'), buffer]);
    case 'whole':
      return Buffer.from(render(mutation.content), 'utf8');
    default:
      return applyLines(buffer, mutation);
  }
}

/**
 * The bytes of one fuzz input: the sample with the structural mutations applied (to one line of
 * a line-based sample, or to the whole document), then the byte and line mutations.
 */
export function buildPayload(sample: string, input: FuzzInput, lineBased: boolean): Buffer {
  let text: string;
  if (lineBased) {
    const eol = sample.includes('\r\n') ? '\r\n' : '\n';
    const lines = sample.split(/\r?\n/);
    const filled = lines.map((line, i) => [line, i] as const).filter(([line]) => line.trim() !== '');
    const target = filled[input.line % Math.max(1, filled.length)]?.[1];
    if (target !== undefined) lines[target] = mutateJson(lines[target]!, input.structural);
    text = lines.join(eol);
  } else {
    text = mutateJson(sample, input.structural);
  }
  let buffer: Buffer = Buffer.from(text, 'utf8');
  for (const mutation of input.text) buffer = applyText(buffer, mutation);
  return buffer;
}

/** A short description of an input for reports: which mutations, without multi-megabyte values. */
export function describeInput(input: FuzzInput): string {
  return JSON.stringify(input, (_key, value: unknown) =>
    typeof value === 'string' && value.length > 80 ? `${value.slice(0, 40)}…(${value.length} chars)` : value,
  );
}
