/**
 * Dialpad sends ids as bare JSON numbers close to 2^53 (`call_id` ≈ 6.4e15), so a
 * plain JSON.parse can silently change the last digits of an id. This parser keeps
 * the exact source text of every number a double cannot hold exactly.
 */

/** Node ≥ 22 passes this third argument to a JSON.parse reviver (TC39 "JSON.parse source text access"). */
interface ReviverContext {
  source?: string;
}

type LosslessReviver = (this: unknown, key: string, value: unknown, context?: ReviverContext) => unknown;

const keepUnsafeNumbersAsText: LosslessReviver = (_key, value, context) => {
  if (typeof value !== 'number') return value;
  const lossy = !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value));
  if (!lossy) return value;
  if (context?.source === undefined) {
    // Refuse rather than hand back a number whose digits may already be wrong.
    throw new Error('JSON.parse source text access is unavailable: Node.js 22 or newer is required');
  }
  return context.source;
};

/** The JSON nests arrays/objects deeper than the parse was asked to allow. */
export class JsonTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`JSON nested deeper than ${maxDepth} levels`);
  }
}

/**
 * JSON.parse that never loses digits: an integer outside Number.isSafeInteger (or a
 * number too large for a double) comes back as its exact source text, e.g.
 * `9007199254740993` → `"9007199254740993"`. Safe integers and floats stay numbers.
 * Throws SyntaxError on invalid JSON, and JsonTooDeepError when arrays/objects nest
 * deeper than `maxDepth` (counted as json-depth's nestingExceeds counts them).
 */
export function parseJsonLossless(text: string, maxDepth = Infinity): unknown {
  // A reviver costs a call per value (and V8 keeps every value's source), so parse plainly first: a number the
  // reviver would keep as text parses to a value the same test finds (an integer beyond 2^53, or ±Infinity).
  // Only then parse again with the reviver. Dialpad's ids are 16 digits but mostly below 2^53.
  // V8's plain JSON.parse keeps its own stack (any depth parses); a reviver recurses, so the depth is checked
  // on the plain parse, in the same walk, before a reviver could see it.
  const value: unknown = JSON.parse(text);
  return inspect(value, maxDepth) ? JSON.parse(text, keepUnsafeNumbersAsText) : value;
}

/**
 * Whether a parsed JSON value holds a number the reviver would keep as text (its parse may have lost digits).
 * Throws JsonTooDeepError past `maxDepth`. One iterative walk: no recursion, whatever the depth.
 */
function inspect(root: unknown, maxDepth: number): boolean {
  const values: unknown[] = [root];
  const depths: number[] = [0];
  let lossy = false;
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value === 'number') {
      if (!lossy && (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)))) {
        lossy = true;
        if (maxDepth === Infinity) return true;
      }
    } else if (typeof value === 'object' && value !== null) {
      if (depth + 1 > maxDepth) throw new JsonTooDeepError(maxDepth);
      for (const item of Array.isArray(value) ? value : Object.values(value)) {
        // scalars other than numbers need no visit
        if (typeof item === 'number' || (typeof item === 'object' && item !== null)) {
          values.push(item);
          depths.push(depth + 1);
        }
      }
    }
  }
  return lossy;
}
