package dev.atoll.benchmarks;

import dev.atoll.internal.Hashing;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * Read-speed limits for the three layouts Atoll's maps use: the fastest {@code get} a layout can
 * have, measured with the same harness as the real maps. Each is a minimal, single-threaded map
 * with plain array reads and no concurrency protocol at all, so no concurrent map of that layout can
 * read faster (on x86 an acquire read compiles to the same load as a plain one; what a concurrent
 * map adds is instructions and checks, never fewer loads).
 *
 * <ul>
 *   <li>{@link OpenKv}: linear probing over one array of interleaved key and value references,
 *       grown when half full: the layout of ProbingHashMap and JCTools' NonBlockingHashMap.
 *   <li>{@link OpenEntries}: linear probing over an array of (hash, key, value) entries, grown
 *       when half full: HopscotchHashMap's slots without the hop words.
 *   <li>{@link Hamt}: a 64-way bitmap-compressed hash trie with (hash, key, value) leaves, keys
 *       spread with the seeded MurmurHash3 finaliser: HashTrieMap's shape without INodes, buckets
 *       or lookup cache.
 * </ul>
 *
 * <p>Not thread-safe: {@link MapBenchmark} runs them on read-only mixes only (filled by one thread
 * in its setup). They are for {@code PairedRatios} runs; see docs/performance.md, "What the layouts
 * allow".
 */
final class LimitMaps {
  private LimitMaps() {}

  /** CHM's fold of the hash code's high half into the low half (the hash tables' unseeded index). */
  private static int fold(Object key) {
    return Hashing.fold(key.hashCode());
  }

  /** The part of Map the benchmarks do not use. */
  abstract static class ReadOnlyLimit extends AbstractMap<Long, Long> {
    @Override
    public Long remove(Object key) {
      throw new UnsupportedOperationException("a read limit: read-only mixes only");
    }

    @Override
    public Set<Map.Entry<Long, Long>> entrySet() {
      throw new UnsupportedOperationException("not needed by the benchmarks");
    }
  }

  /** Linear probing over interleaved key/value references; grows at load 1/2. */
  static final class OpenKv extends ReadOnlyLimit {
    private Object[] kvs = new Object[64];
    private int mask = 31;
    private int size;

    @Override
    public Long get(Object key) {
      Object[] a = kvs;
      int m = mask;
      for (int i = fold(key) & m; ; i = (i + 1) & m) {
        Object k = a[i << 1];
        if (k == null) {
          return null;
        }
        if (key.equals(k)) {
          return (Long) a[(i << 1) + 1];
        }
      }
    }

    @Override
    public Long put(Long key, Long value) {
      int i = slot(kvs, mask, key);
      Object old = kvs[(i << 1) + 1];
      boolean added = kvs[i << 1] == null;
      kvs[i << 1] = key;
      kvs[(i << 1) + 1] = value;
      if (added && ++size > (mask + 1) / 2) {
        grow();
      }
      return (Long) old;
    }

    private static int slot(Object[] a, int m, Object key) {
      int i = fold(key) & m;
      while (a[i << 1] != null && !key.equals(a[i << 1])) {
        i = (i + 1) & m;
      }
      return i;
    }

    private void grow() {
      Object[] old = kvs;
      int m = (mask << 1) | 1;
      Object[] a = new Object[(m + 1) * 2];
      for (int j = 0; j < old.length; j += 2) {
        if (old[j] != null) {
          int i = slot(a, m, old[j]);
          a[i << 1] = old[j];
          a[(i << 1) + 1] = old[j + 1];
        }
      }
      kvs = a;
      mask = m;
    }
  }

  /** Linear probing over (hash, key, value) entries; grows at load 1/2. */
  static final class OpenEntries extends ReadOnlyLimit {
    private static final class Entry {
      final int hash;
      final Object key;
      Object value;

      Entry(int hash, Object key, Object value) {
        this.hash = hash;
        this.key = key;
        this.value = value;
      }
    }

    private Entry[] slots = new Entry[32];
    private int size;

    @Override
    public Long get(Object key) {
      Entry[] a = slots;
      int m = a.length - 1;
      int h = fold(key);
      for (int i = h & m; ; i = (i + 1) & m) {
        Entry e = a[i];
        if (e == null) {
          return null;
        }
        if (e.hash == h && key.equals(e.key)) {
          return (Long) e.value;
        }
      }
    }

    @Override
    public Long put(Long key, Long value) {
      int h = fold(key);
      int m = slots.length - 1;
      int i = h & m;
      for (Entry e; (e = slots[i]) != null; i = (i + 1) & m) {
        if (e.hash == h && key.equals(e.key)) {
          Object old = e.value;
          e.value = value;
          return (Long) old;
        }
      }
      slots[i] = new Entry(h, key, value);
      if (++size > slots.length / 2) {
        Entry[] a = new Entry[slots.length * 2];
        for (Entry e : slots) {
          if (e != null) {
            int j = e.hash & (a.length - 1);
            while (a[j] != null) {
              j = (j + 1) & (a.length - 1);
            }
            a[j] = e;
          }
        }
        slots = a;
      }
      return null;
    }
  }

  /** A 64-way bitmap-compressed hash trie; leaves chain on equal 32-bit hashes. */
  static final class Hamt extends ReadOnlyLimit {
    private static final int BITS = 6;

    private static final class Leaf {
      final int hash;
      final Object key;
      Object value;
      Leaf next; // another key with the same hash

      Leaf(int hash, Object key, Object value) {
        this.hash = hash;
        this.key = key;
        this.value = value;
      }
    }

    private static final class Branch {
      long bitmap;
      Object[] kids = new Object[0];
    }

    private final int seed = Hashing.newSeed();
    private final Branch root = new Branch();

    @Override
    public Long get(Object key) {
      int h = Hashing.spread(fold(key), seed);
      Branch b = root;
      for (int shift = 0; ; shift += BITS) {
        long bit = 1L << ((h >>> shift) & 63);
        if ((b.bitmap & bit) == 0) {
          return null;
        }
        Object c = b.kids[Long.bitCount(b.bitmap & (bit - 1))];
        if (c instanceof Branch) {
          b = (Branch) c;
          continue;
        }
        for (Leaf l = (Leaf) c; l != null; l = l.next) {
          if (l.hash == h && key.equals(l.key)) {
            return (Long) l.value;
          }
        }
        return null;
      }
    }

    @Override
    public Long put(Long key, Long value) {
      int h = Hashing.spread(fold(key), seed);
      Branch b = root;
      for (int shift = 0; ; shift += BITS) {
        long bit = 1L << ((h >>> shift) & 63);
        int pos = Long.bitCount(b.bitmap & (bit - 1));
        if ((b.bitmap & bit) == 0) {
          Object[] kids = new Object[b.kids.length + 1];
          System.arraycopy(b.kids, 0, kids, 0, pos);
          System.arraycopy(b.kids, pos, kids, pos + 1, b.kids.length - pos);
          kids[pos] = new Leaf(h, key, value);
          b.kids = kids;
          b.bitmap |= bit;
          return null;
        }
        Object c = b.kids[pos];
        if (c instanceof Branch) {
          b = (Branch) c;
          continue;
        }
        Leaf first = (Leaf) c;
        if (first.hash == h) {
          for (Leaf l = first; l != null; l = l.next) {
            if (key.equals(l.key)) {
              Object old = l.value;
              l.value = value;
              return (Long) old;
            }
          }
          Leaf l = new Leaf(h, key, value);
          l.next = first;
          b.kids[pos] = l;
          return null;
        }
        // Two different hashes: push the leaf down one level and go on there (they split by 32 bits).
        Branch down = new Branch();
        down.bitmap = 1L << ((first.hash >>> (shift + BITS)) & 63);
        down.kids = new Object[] {first};
        b.kids[pos] = down;
        b = down;
      }
    }
  }
}
