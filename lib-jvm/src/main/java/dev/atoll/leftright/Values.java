package dev.atoll.leftright;

import java.util.AbstractCollection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The values of one key of a {@link LeftRightMap}: an immutable bag (multiset). The same value may
 * occur several times; values are compared with {@code equals}. A {@code Values} seen by a reader
 * never changes afterwards: the writer replaces a key's bag instead of modifying one that readers
 * may hold, so it stays valid (as of its publish) for as long as the caller keeps it.
 *
 * <p>Storage follows evmap: a key with one value stores the value itself in the map (no bag object
 * at all; {@link ReadHandle#getOne} then reads it without any indirection); a few values live in a
 * small array scanned linearly; many values in a hash bag (value → count), so that
 * {@link WriteHandle#removeValue} stays cheap. {@link WriteHandle#fit} switches back to the smaller
 * forms.
 *
 * <p>{@code equals} and {@code hashCode} are those of a multiset: two bags are equal when they hold
 * the same values the same number of times, in any order.
 *
 * @param <V> the type of values
 */
public abstract class Values<V> extends AbstractCollection<V> {
  Values() {}

  /** Returns one of the values (the first inserted, for small bags), or null if the bag is empty. */
  public abstract V getOne();

  /** Returns how many times {@code value} occurs in this bag. */
  public abstract int count(Object value);

  @Override
  public boolean contains(Object o) {
    return count(o) > 0;
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Values) || ((Values<?>) o).size() != size()) {
      return false;
    }
    Values<?> other = (Values<?>) o;
    for (V v : this) {
      if (other.count(v) != count(v)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (V v : this) {
      h += v.hashCode();
    }
    return h;
  }

  // ------------------------------------------------------------------ the representations

  /** A view of a value stored inline (the map holds the value itself). */
  static final class One<V> extends Values<V> {
    private final V value;

    One(V value) {
      this.value = value;
    }

    @Override
    public V getOne() {
      return value;
    }

    @Override
    public int count(Object v) {
      return value.equals(v) ? 1 : 0;
    }

    @Override
    public int size() {
      return 1;
    }

    @Override
    public Iterator<V> iterator() {
      return new Iterator<>() {
        boolean done;

        @Override
        public boolean hasNext() {
          return !done;
        }

        @Override
        public V next() {
          if (done) {
            throw new NoSuchElementException();
          }
          done = true;
          return value;
        }
      };
    }
  }

  /**
   * A bag the writer builds. While {@code batch} equals the writer's current (unpublished) batch,
   * no reader can see it and the writer changes it in place; once published it is frozen, and the
   * writer copies it before the next change (copy-on-write, at most once per key per publish).
   */
  abstract static class Bag<V> extends Values<V> {
    /** The batch (publish number to come) in which this bag was created; see the class comment. */
    final long batch;

    Bag(long batch) {
      this.batch = batch;
    }

    /** Adds one copy of {@code v}; returns the bag to store (this, or a larger representation). */
    abstract Bag<V> with(V v);

    /** Removes one copy of {@code v} if present; returns whether it did. */
    abstract boolean removeOne(Object v);

    /** A mutable copy for {@code batch}. */
    abstract Bag<V> copy(long batch);
  }

  /** Up to {@link #MAX} values in an array, in insertion order. */
  static final class Small<V> extends Bag<V> {
    /** Above this size a bag becomes a {@link Hashed}. */
    static final int MAX = 16;
    Object[] items;
    int size;

    Small(long batch, Object[] items, int size) {
      super(batch);
      this.items = items;
      this.size = size;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V getOne() {
      return size == 0 ? null : (V) items[0];
    }

    @Override
    public int count(Object v) {
      int n = 0;
      for (int i = 0; i < size; i++) {
        if (items[i].equals(v)) {
          n++;
        }
      }
      return n;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public Iterator<V> iterator() {
      return new Iterator<>() {
        int i;

        @Override
        public boolean hasNext() {
          return i < size;
        }

        @Override
        @SuppressWarnings("unchecked")
        public V next() {
          if (i >= size) {
            throw new NoSuchElementException();
          }
          return (V) items[i++];
        }
      };
    }

    @Override
    Bag<V> with(V v) {
      if (size == MAX) {
        Hashed<V> h = new Hashed<>(batch, new HashMap<>(), 0);
        for (V x : this) {
          h.with(x);
        }
        return h.with(v);
      }
      if (size == items.length) {
        items = java.util.Arrays.copyOf(items, Math.min(MAX, Math.max(4, size * 2)));
      }
      items[size++] = v;
      return this;
    }

    @Override
    boolean removeOne(Object v) {
      for (int i = 0; i < size; i++) {
        if (items[i].equals(v)) {
          System.arraycopy(items, i + 1, items, i, size - i - 1);
          items[--size] = null;
          return true;
        }
      }
      return false;
    }

    @Override
    Bag<V> copy(long batch) {
      return new Small<>(batch, items.clone(), size);
    }
  }

  /** Many values: value → number of copies. */
  static final class Hashed<V> extends Bag<V> {
    final HashMap<V, Integer> counts;
    int size;

    Hashed(long batch, HashMap<V, Integer> counts, int size) {
      super(batch);
      this.counts = counts;
      this.size = size;
    }

    @Override
    public V getOne() {
      return size == 0 ? null : counts.keySet().iterator().next();
    }

    @Override
    public int count(Object v) {
      return v == null ? 0 : counts.getOrDefault(v, 0);
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public Iterator<V> iterator() {
      Iterator<Map.Entry<V, Integer>> it = counts.entrySet().iterator();
      return new Iterator<>() {
        V current;
        int left;

        @Override
        public boolean hasNext() {
          return left > 0 || it.hasNext();
        }

        @Override
        public V next() {
          if (left == 0) {
            Map.Entry<V, Integer> e = it.next();
            current = e.getKey();
            left = e.getValue();
          }
          left--;
          return current;
        }
      };
    }

    @Override
    Bag<V> with(V v) {
      counts.merge(v, 1, Integer::sum);
      size++;
      return this;
    }

    @Override
    boolean removeOne(Object v) {
      @SuppressWarnings("unchecked")
      V key = (V) v;
      Integer n = counts.get(key);
      if (n == null) {
        return false;
      }
      if (n == 1) {
        counts.remove(key);
      } else {
        counts.put(key, n - 1);
      }
      size--;
      return true;
    }

    @Override
    Bag<V> copy(long batch) {
      return new Hashed<>(batch, new HashMap<>(counts), size);
    }
  }
}
