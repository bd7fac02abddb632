package dev.atoll.map;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The common base of this package's lock-free maps ({@link ChainedHashMap},
 * {@link HopscotchHashMap}, {@link ProbingHashMap}, {@link SegmentedHashMap} through
 * {@link WeaklyConsistentMap}, and {@link HashTrieMap}): the function-taking methods of
 * {@link ConcurrentMap}, written once over two primitives every map already has, {@link #get} and a
 * conditional write by identity ({@link #commit}), plus {@link #putIfAbsent} for
 * {@link #computeIfAbsent}; and the two hooks the shared {@code keySet}/{@code values}/{@code entrySet}
 * views of {@link MapViews} work through, {@link #traversal} and {@link #checkWritable}, with the
 * views themselves, made once per map ({@link #keyView}, {@link #valueView}, {@link #entryView}).
 * Not public.
 *
 * <p>The methods are <em>optimistic</em>: a function runs on the value read, with no lock or claim
 * held, and its result is written only if the key still maps to that same value instance (or is
 * still absent); otherwise the function runs again on the new value. A map's own {@code get},
 * {@code put} and {@code remove} do not go through this class, so their paths are unchanged; a map
 * whose function-taking methods have a faster path of their own (for example
 * {@link ProbingHashMap}'s, which hash a key once) overrides them.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
abstract class OptimisticComputeMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
  // Views are stateless adapters: two threads racing on the first call may each build one, which
  // is harmless, so the fields are plain.
  private transient Set<K> keyView;
  private transient Collection<V> valueView;
  private transient Set<Map.Entry<K, V>> entryView;

  OptimisticComputeMap() {}

  /** This map's {@code keySet} view ({@link MapViews.Keys}), made on first use. */
  final Set<K> keyView() {
    Set<K> v = keyView;
    return v != null ? v : (keyView = new MapViews.Keys<>(this));
  }

  /** This map's {@code values} view ({@link MapViews.Values}), made on first use. */
  final Collection<V> valueView() {
    Collection<V> v = valueView;
    return v != null ? v : (valueView = new MapViews.Values<>(this));
  }

  /** This map's {@code entrySet} view ({@link MapViews.Entries}), made on first use. */
  final Set<Map.Entry<K, V>> entryView() {
    Set<Map.Entry<K, V>> v = entryView;
    return v != null ? v : (entryView = new MapViews.Entries<>(this));
  }

  /** What an iterator returns for each entry it meets. */
  interface Projection<T> {
    T make(Object key, Object value);
  }

  /**
   * An iterator over this map's entries (with the consistency the map documents: weakly consistent,
   * or over a snapshot) that returns {@code projection.make(key, value)} for each entry, and whose
   * {@code remove} removes the last returned key from this map. The views of {@link MapViews}
   * iterate through it.
   */
  abstract <T> Iterator<T> traversal(Projection<T> projection);

  /**
   * Throws {@link UnsupportedOperationException} if this map cannot be written (a read-only
   * snapshot of {@link HashTrieMap}); by default does nothing. The views of {@link MapViews} call it
   * first in the writes that do not start with a write of this map.
   */
  void checkWritable() {}

  /**
   * Writes {@code next} for {@code key} if the key still maps to the very instance {@code old}
   * (compared by identity), or, when {@code old} is null, if the key is still absent. A null
   * {@code next} removes the key (or, with a null {@code old}, writes nothing and succeeds).
   * Returns whether the condition held (and so the write, if any, was made). Linearizes at the
   * map's conditional write, or at the read that refuted the condition; it fails only when the
   * key's value changed, never because of writes to other keys or a resize.
   */
  abstract boolean commit(K key, V old, V next);

  /**
   * Returns the value mapped to {@code key}, or {@code defaultValue} if there is none.
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Override
  public V getOrDefault(Object key, V defaultValue) {
    V v = get(key);
    return v != null ? v : defaultValue;
  }

  /**
   * Returns the value of {@code key}, first computing it with {@code mappingFunction} and adding it
   * if the key is absent (a null result adds nothing and returns null).
   *
   * <p>The function runs without any lock or claim held, at most once per call, and only when the
   * key was absent when this call looked. Several threads calling this for the same absent key may
   * each run the function, but only one result is added, and <em>every</em> caller gets that same
   * instance back (the other results are discarded). If the function throws, the map is unchanged.
   *
   * @throws NullPointerException if the key or the function is null
   */
  @Override
  public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
    Objects.requireNonNull(mappingFunction, "mappingFunction");
    V v = get(key);
    if (v != null) {
      return v;
    }
    V computed = mappingFunction.apply(key);
    if (computed == null) {
      return null;
    }
    V prior = putIfAbsent(key, computed);
    return prior == null ? computed : prior; // a racing insert won: every caller returns its instance
  }

  /**
   * If {@code key} is present, replaces its value with the function's result, or removes it if the
   * result is null; returns the new value or null.
   *
   * <p>Optimistic: the function is applied to the value read, and the result is written only if
   * the key still maps to that same value instance; otherwise the function runs again on the new
   * value. So the function may run more than once per call (only the last run's result is
   * written), but only while other threads change this same key; writes to other keys and resizes
   * never make it run again. If it throws, the map is unchanged.
   *
   * @throws NullPointerException if the key or the function is null
   */
  @Override
  public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(remappingFunction, "remappingFunction");
    while (true) {
      V old = get(key);
      if (old == null) {
        return null;
      }
      V next = remappingFunction.apply(key, old);
      if (commit(key, old, next)) {
        return next;
      }
    }
  }

  /**
   * Computes a new value for {@code key} from its current value (null if absent): a null result
   * removes the key (or adds nothing). Returns the new value or null.
   *
   * <p>Optimistic, as {@code computeIfPresent}: the function may run more than once per call, but
   * only while other threads change this same key; only the last run's result is written. If it
   * throws, the map is unchanged.
   *
   * @throws NullPointerException if the key or the function is null
   */
  @Override
  public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(remappingFunction, "remappingFunction");
    while (true) {
      V old = get(key);
      V next = remappingFunction.apply(key, old);
      if (commit(key, old, next)) {
        return next;
      }
    }
  }

  /**
   * Adds {@code value} if {@code key} is absent, else replaces the value with
   * {@code remappingFunction(old, value)} (removing the key if that is null). Returns the new value
   * or null.
   *
   * <p>Optimistic, as {@code computeIfPresent}: the function may run more than once per call, but
   * only while other threads change this same key; only the last run's result is written. If it
   * throws, the map is unchanged.
   *
   * @throws NullPointerException if any argument is null
   */
  @Override
  public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(remappingFunction, "remappingFunction");
    while (true) {
      V old = get(key);
      V next = old == null ? value : remappingFunction.apply(old, value);
      if (commit(key, old, next)) {
        return next;
      }
    }
  }

  /**
   * Replaces each value with {@code function(key, value)}, entry by entry, over the entries that
   * this map's {@code forEach} visits (see the class documentation for what it guarantees). Each
   * replacement is atomic: an entry changed concurrently is recomputed from its current value (or
   * skipped if removed), so the function may run more than once per key. Keys added during the call
   * may or may not be visited.
   *
   * @throws NullPointerException if the function is null or returns null
   */
  @Override
  public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
    Objects.requireNonNull(function, "function");
    forEach((k, v) -> {
      for (V cur = v; cur != null; cur = get(k)) {
        V next = Objects.requireNonNull(function.apply(k, cur), "function result");
        if (commit(k, cur, next)) {
          return;
        }
      }
    });
  }
}
