const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** The 10 characters of the timestamp; the 16 after them are the random part. */
const TIME_CHARS = 10;

/** Adds `amount` to the random part of a ULID at `position` (a character index), wrapping within it. */
function addToRandomPart(ulid: string, amount: number, position: number): string {
  if (!ULID_PATTERN.test(ulid)) throw new Error(`${ulid} is not a ULID`);
  if (!Number.isInteger(amount) || amount < 0) throw new Error(`amount must be a non-negative integer, got ${amount}`);
  const digits = [...ulid].map((c) => CROCKFORD.indexOf(c));
  let carry = amount;
  // The timestamp never changes: a carry out of the random part wraps around (drops).
  for (let i = position; i >= TIME_CHARS && carry > 0; i--) {
    const sum = (digits[i] ?? 0) + carry;
    digits[i] = sum % 32;
    carry = Math.floor(sum / 32);
  }
  return digits.map((d) => CROCKFORD[d]).join('');
}

/**
 * The ULID `offset` steps after `base` in the same millisecond, as a monotonic factory counts.
 *
 * @example ulidAfter('01ARZ3NDEKTSV4RRFFQ69G5FAV', 1) === '01ARZ3NDEKTSV4RRFFQ69G5FAW'
 */
export function ulidAfter(base: string, offset: number): string {
  return addToRandomPart(base, offset, 25);
}

/**
 * The id of the `index`-th event caused by a command. The index is added 2^40 apart, so that
 * the ids of one command's events never meet the ids a monotonic factory hands out next to
 * the command id in the same millisecond (other commands of the same process).
 */
export function eventIdOf(commandId: string, index: number): string {
  return addToRandomPart(commandId, index, 25 - 8);
}

/** An EC2 instance id, as events/schemas/ServerLaunched.schema.json accepts it (8 or 17 hex digits). */
export const EC2_INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

export function isEc2InstanceId(value: string): boolean {
  return EC2_INSTANCE_ID.test(value);
}
