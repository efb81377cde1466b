/**
 * The event IDs seen so far, to report re-delivered events once. A trail holds one ID per record (a
 * 100,000-record file, 100,000 IDs), and the IDs are strings scattered over the parsed file: looking one
 * up in a `Set<string>` touches a random stored string per probe. Here the table is keyed by a 30-bit
 * hash of the ID (a small integer, stored in the table itself); strings are compared only when the
 * hashes are equal, which happens for a repeated ID or, rarely, a collision.
 */
export class EventIdSet {
  readonly #byHash = new Map<number, string | string[]>();

  /** Adds `id`; `false` when it was already there. */
  add(id: string): boolean {
    const hash = hashOf(id);
    const known = this.#byHash.get(hash);
    if (known === undefined) {
      this.#byHash.set(hash, id);
      return true;
    }
    if (typeof known === 'string') {
      if (known === id) return false;
      this.#byHash.set(hash, [known, id]);
      return true;
    }
    if (known.includes(id)) return false;
    known.push(id);
    return true;
  }

  /** Removes `id` (a batch takes back the IDs of a text it reads again another way). */
  delete(id: string): void {
    const hash = hashOf(id);
    const known = this.#byHash.get(hash);
    if (known === id) {
      this.#byHash.delete(hash);
    } else if (Array.isArray(known)) {
      const rest = known.filter((k) => k !== id);
      this.#byHash.set(hash, rest.length === 1 ? rest[0]! : rest);
    }
  }
}

/** FNV-1a over the UTF-16 code units, folded to a non-negative 30-bit integer. @internal exported for tests. */
export function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 1) & 0x3fffffff;
}
