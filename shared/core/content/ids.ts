/**
 * Short, stable ids for what the library stores. An id is derived from what created the thing (the event
 * that added an item, an import file's key, a channel's slot), so a redelivery, a retry or a re-import
 * writes the same id and finds it taken instead of writing a second copy.
 */

/** 64 bits of FNV-1a over the text, in base 36 (the same function names feedback notes, feedback.ts). */
function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

/** `length` base-36 characters derived from `seed`. */
export function shortId(seed: string, length: number): string {
  return fnv1a64(seed).toString(36).padStart(13, '0').slice(-length);
}

/**
 * An item's id (6 characters: 2 billion values). Two items of one community could only collide by chance
 * (about one in 20,000 for a 5,000-item library); the store refuses the second (`exists`) and the author is
 * asked to try again, so nothing is overwritten.
 */
export function itemId(communityId: string, seed: string): string {
  return shortId(`${communityId}\n${seed}`, 6);
}

/** A channel post's id, for its buttons: 8 characters from the channel and the slot. */
export function postId(channelKey: string, slotAt: string): string {
  return shortId(`${channelKey}\n${slotAt}`, 8);
}
