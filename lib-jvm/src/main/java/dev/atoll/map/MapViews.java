package dev.atoll.map;

import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;

/**
 * The {@code keySet}/{@code values}/{@code entrySet} views of every {@link WeaklyConsistentMap}:
 * thin adapters that answer every query through the map's own operations and iterate through the
 * map's weakly consistent iterators. Not public.
 */
final class MapViews {
  private MapViews() {}

  /** The key set view. */
  static final class Keys<K, V> extends AbstractSet<K> {
    private final WeaklyConsistentMap<K, V> map;

    Keys(WeaklyConsistentMap<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<K> iterator() {
      return map.keyIterator();
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
      return map.containsKey(o);
    }

    @Override
    public boolean remove(Object o) {
      return map.remove(o) != null;
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  /** The values view. */
  static final class Values<K, V> extends AbstractCollection<V> {
    private final WeaklyConsistentMap<K, V> map;

    Values(WeaklyConsistentMap<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<V> iterator() {
      return map.valueIterator();
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
      return map.containsValue(o);
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  /** The entry set view. */
  static final class Entries<K, V> extends AbstractSet<Map.Entry<K, V>> {
    private final WeaklyConsistentMap<K, V> map;

    Entries(WeaklyConsistentMap<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
      return map.entryIterator();
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
      if (!(o instanceof Map.Entry)) {
        return false;
      }
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      Object k = e.getKey();
      Object v = e.getValue();
      if (k == null || v == null) {
        return false;
      }
      Object cur = map.get(k);
      return cur != null && (cur == v || v.equals(cur));
    }

    @Override
    public boolean remove(Object o) {
      if (!(o instanceof Map.Entry)) {
        return false;
      }
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      Object k = e.getKey();
      Object v = e.getValue();
      return k != null && v != null && map.remove(k, v);
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  /** An entry returned by an iterator: {@code setValue} writes through to the map with {@code put}. */
  static final class WriteThroughEntry<K, V> implements Map.Entry<K, V> {
    private final ConcurrentMap<K, V> map;
    private final K key;
    private V value;

    WriteThroughEntry(ConcurrentMap<K, V> map, K key, V value) {
      this.map = map;
      this.key = key;
      this.value = value;
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public V setValue(V v) {
      Objects.requireNonNull(v);
      V old = value;
      map.put(key, v);
      value = v;
      return old;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Map.Entry)) {
        return false;
      }
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      return key.equals(e.getKey()) && value.equals(e.getValue());
    }

    @Override
    public int hashCode() {
      return key.hashCode() ^ value.hashCode();
    }

    @Override
    public String toString() {
      return key + "=" + value;
    }
  }
}
