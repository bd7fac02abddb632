package dev.atoll.testkit;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * Deliberately broken maps and the contract runs over them, used only by
 * {@link KitCatchesBrokenMapsTest} to prove that the kit can fail. The nested classes are not picked
 * up by the normal test run (surefire skips nested classes); the meta-test launches them itself.
 */
final class BrokenMaps {
  private BrokenMaps() {}

  /**
   * A synchronised HashMap whose check-then-act operations are not atomic, that accepts nulls, and
   * that keeps every removed value in a "history" list: three bugs the kit must catch.
   */
  static final class NonAtomicLeakyMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
    private final Map<K, V> map = Collections.synchronizedMap(new HashMap<>());
    private final List<Object> history = Collections.synchronizedList(new ArrayList<>());

    @Override
    public V get(Object key) {
      return map.get(key);
    }

    @Override
    public V put(K key, V value) {
      V old = map.put(key, value);
      history.add(old);
      return old;
    }

    @Override
    public V remove(Object key) {
      V old = map.remove(key);
      history.add(old);
      return old;
    }

    @Override
    public V putIfAbsent(K key, V value) {
      V cur = map.get(key);
      Thread.yield(); // widen the race window between the check and the act
      return cur == null ? put(key, value) : cur;
    }

    @Override
    public boolean remove(Object key, Object value) {
      if (Objects.equals(map.get(key), value)) {
        remove(key);
        return true;
      }
      return false;
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
      if (Objects.equals(map.get(key), oldValue)) {
        Thread.yield();
        put(key, newValue);
        return true;
      }
      return false;
    }

    @Override
    public V replace(K key, V value) {
      return map.containsKey(key) ? put(key, value) : null;
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
      return map.entrySet();
    }

    private static final class Objects {
      static boolean equals(Object a, Object b) {
        return a == null ? b == null : a.equals(b);
      }
    }
  }

  /** The contract over {@link NonAtomicLeakyMap}. */
  static final class NonAtomicLeakyMapContract extends ConcurrentMapContract {
    @Override
    protected <K, V> ConcurrentMap<K, V> newMap() {
      return new NonAtomicLeakyMap<>();
    }

    @Override
    protected int collidingKeyCount() {
      return 2_000;
    }
  }

  /** The contract over a map that pretends to shrink but does not: capacity only grows. */
  static final class NeverShrinksContract extends ConcurrentMapContract {
    @Override
    protected <K, V> ConcurrentMap<K, V> newMap() {
      return new java.util.concurrent.ConcurrentHashMap<>();
    }

    @Override
    protected long capacityOf(ConcurrentMap<?, ?> map) {
      // what ConcurrentHashMap really does: the table keeps its peak size
      return map.isEmpty() && peak == 0 ? 16 : (peak = Math.max(peak, Integer.highestOneBit(Math.max(16, map.size())) * 2L));
    }

    private long peak;
  }
}
