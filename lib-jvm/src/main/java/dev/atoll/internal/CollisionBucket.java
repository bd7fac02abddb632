package dev.atoll.internal;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * An immutable (persistent) set of entries whose keys all have the same spread hash: the shared
 * answer of every Atoll map to hash flooding with equal {@code hashCode()}s.
 *
 * <h2>Implementation notes</h2>
 * A bucket has two parts:
 * <ul>
 *   <li>a persistent AVL tree holding the keys whose class is exactly {@code treeClass}, the class of
 *       the first {@link Comparable} key the bucket saw; keys are ordered by {@code compareTo}, and a
 *       tree node holds every entry whose key compares equal (a "tie" array, since {@code compareTo}
 *       may return 0 for keys that are not {@code equals});</li>
 *   <li>a short array {@code others} of entries whose key is of any other class or not
 *       {@code Comparable}, searched linearly.</li>
 * </ul>
 * Invariant: no two keys in a bucket are {@code equals}. Lookups of a {@code treeClass} key take
 * O(log n) comparisons (plus a scan of {@code others}, normally empty); lookups of other keys scan
 * everything, which is the best that can be done for keys that are neither comparable nor of one
 * class (keys of different classes may be {@code equals}, as an {@code ArrayList} and a
 * {@code LinkedList} are). The order relies on {@code compareTo} being consistent with
 * {@code equals}, as {@link java.util.TreeMap} does.
 *
 * <p>Every update returns a new bucket sharing unchanged subtrees (O(log n) new nodes); the old
 * bucket stays valid, so a lock-free map can publish a bucket with one CAS and let readers traverse
 * it without synchronisation. All fields are final, so a bucket is safely published by any
 * release store.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class CollisionBucket<K, V> implements Iterable<Map.Entry<K, V>> {
  private static final Object[] NONE = new Object[0];
  private static final CollisionBucket<?, ?> EMPTY = new CollisionBucket<>(null, null, NONE);

  private final Class<?> treeClass;
  private final Node root;
  /** Alternating key, value pairs of keys not in the tree. */
  private final Object[] others;

  private CollisionBucket(Class<?> treeClass, Node root, Object[] others) {
    this.treeClass = treeClass;
    this.root = root;
    this.others = others;
  }

  /** The empty bucket. */
  @SuppressWarnings("unchecked")
  public static <K, V> CollisionBucket<K, V> empty() {
    return (CollisionBucket<K, V>) EMPTY;
  }

  /** Number of entries. */
  public int size() {
    return Node.size(root) + others.length / 2;
  }

  /** True when there are no entries. */
  public boolean isEmpty() {
    return root == null && others.length == 0;
  }

  /** Returns the value for {@code key}, or null. */
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    int at = indexIn(others, key);
    if (at >= 0) {
      return (V) others[at + 1];
    }
    if (root == null) {
      return null;
    }
    if (key.getClass() == treeClass) {
      Node n = find(root, key);
      if (n != null) {
        int i = indexIn(n.kv, key);
        if (i >= 0) {
          return (V) n.kv[i + 1];
        }
      }
      return null;
    }
    return (V) scanTree(root, key);
  }

  /** True when some key equals {@code key}. */
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  /**
   * Returns a bucket in which {@code key} maps to {@code value} (replacing any equal key's value;
   * the stored key instance stays the old one, as {@link java.util.HashMap} does).
   */
  public CollisionBucket<K, V> put(K key, V value) {
    Objects.requireNonNull(value);
    int at = indexIn(others, key);
    if (at >= 0) {
      Object[] o = others.clone();
      o[at + 1] = value;
      return new CollisionBucket<>(treeClass, root, o);
    }
    Class<?> cls = key.getClass();
    Class<?> tc = treeClass;
    if (tc == null && root == null && key instanceof Comparable) {
      tc = cls;
    }
    if (cls == tc) {
      return new CollisionBucket<>(tc, insert(root, key, value), others);
    }
    // A key of another class: an equal key may sit in the tree (e.g. equal lists of two classes).
    if (root != null) {
      Node n = findByScan(root, key);
      if (n != null) {
        return new CollisionBucket<>(tc, insert(root, n.kv[indexIn(n.kv, key)], value), others);
      }
    }
    Object[] o = Arrays.copyOf(others, others.length + 2);
    o[others.length] = key;
    o[others.length + 1] = value;
    return new CollisionBucket<>(tc, root, o);
  }

  /** Returns a bucket without {@code key} ({@code this} if it was absent). */
  public CollisionBucket<K, V> remove(Object key) {
    int at = indexIn(others, key);
    if (at >= 0) {
      Object[] o = new Object[others.length - 2];
      System.arraycopy(others, 0, o, 0, at);
      System.arraycopy(others, at + 2, o, at, others.length - at - 2);
      return rebuilt(root, o);
    }
    if (root == null) {
      return this;
    }
    Object treeKey = key;
    if (key.getClass() != treeClass) {
      Node n = findByScan(root, key);
      if (n == null) {
        return this;
      }
      treeKey = n.kv[indexIn(n.kv, key)];
    } else if (find(root, key) == null) {
      return this;
    }
    return rebuilt(delete(root, treeKey), others);
  }

  /** Calls {@code action} for every entry, tree entries in key order first. */
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super K, ? super V> action) {
    forEachNode(root, action);
    for (int i = 0; i < others.length; i += 2) {
      action.accept((K) others[i], (V) others[i + 1]);
    }
  }

  /** An iterator over immutable snapshots of the entries; {@code remove} is not supported. */
  @Override
  public Iterator<Map.Entry<K, V>> iterator() {
    List<Map.Entry<K, V>> all = new ArrayList<>(size());
    forEach((k, v) -> all.add(new AbstractMap.SimpleImmutableEntry<>(k, v)));
    return all.iterator();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("CollisionBucket{");
    forEach((k, v) -> sb.append(k).append('=').append(v).append(", "));
    if (sb.charAt(sb.length() - 1) == ' ') {
      sb.setLength(sb.length() - 2);
    }
    return sb.append('}').toString();
  }

  // ---------------------------------------------------------------- private machinery

  private CollisionBucket<K, V> rebuilt(Node r, Object[] o) {
    if (r == null && o.length == 0) {
      return empty();
    }
    return new CollisionBucket<>(r == null ? null : treeClass, r, o);
  }

  private static int indexIn(Object[] kv, Object key) {
    for (int i = 0; i < kv.length; i += 2) {
      Object k = kv[i];
      if (k == key || key.equals(k)) {
        return i;
      }
    }
    return -1;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object a, Object b) {
    return ((Comparable) a).compareTo(b);
  }

  private static Node find(Node n, Object key) {
    while (n != null) {
      int c = compare(key, n.kv[0]);
      if (c == 0) {
        return n;
      }
      n = c < 0 ? n.left : n.right;
    }
    return null;
  }

  private static Node findByScan(Node n, Object key) {
    if (n == null) {
      return null;
    }
    if (indexIn(n.kv, key) >= 0) {
      return n;
    }
    Node l = findByScan(n.left, key);
    return l != null ? l : findByScan(n.right, key);
  }

  private static Object scanTree(Node n, Object key) {
    Node hit = findByScan(n, key);
    return hit == null ? null : hit.kv[indexIn(hit.kv, key) + 1];
  }

  @SuppressWarnings("unchecked")
  private void forEachNode(Node n, BiConsumer<? super K, ? super V> action) {
    if (n == null) {
      return;
    }
    forEachNode(n.left, action);
    for (int i = 0; i < n.kv.length; i += 2) {
      action.accept((K) n.kv[i], (V) n.kv[i + 1]);
    }
    forEachNode(n.right, action);
  }

  private static Node insert(Node n, Object key, Object value) {
    if (n == null) {
      return new Node(new Object[] {key, value}, null, null);
    }
    int c = compare(key, n.kv[0]);
    if (c == 0) {
      int i = indexIn(n.kv, key);
      Object[] kv;
      if (i >= 0) {
        kv = n.kv.clone();
        kv[i + 1] = value;
      } else {
        kv = Arrays.copyOf(n.kv, n.kv.length + 2);
        kv[n.kv.length] = key;
        kv[n.kv.length + 1] = value;
      }
      return new Node(kv, n.left, n.right);
    }
    return c < 0 ? balance(n.kv, insert(n.left, key, value), n.right) : balance(n.kv, n.left, insert(n.right, key, value));
  }

  /** Deletes the entry whose key equals {@code key} (present by precondition). */
  private static Node delete(Node n, Object key) {
    int c = compare(key, n.kv[0]);
    if (c < 0) {
      return balance(n.kv, delete(n.left, key), n.right);
    }
    if (c > 0) {
      return balance(n.kv, n.left, delete(n.right, key));
    }
    int i = indexIn(n.kv, key);
    if (n.kv.length > 2) {
      Object[] kv = new Object[n.kv.length - 2];
      System.arraycopy(n.kv, 0, kv, 0, i);
      System.arraycopy(n.kv, i + 2, kv, i, n.kv.length - i - 2);
      return new Node(kv, n.left, n.right);
    }
    if (n.left == null) {
      return n.right;
    }
    if (n.right == null) {
      return n.left;
    }
    Node min = n.right;
    while (min.left != null) {
      min = min.left;
    }
    return balance(min.kv, n.left, deleteMin(n.right));
  }

  private static Node deleteMin(Node n) {
    if (n.left == null) {
      return n.right;
    }
    return balance(n.kv, deleteMin(n.left), n.right);
  }

  private static Node balance(Object[] kv, Node l, Node r) {
    int hl = Node.height(l);
    int hr = Node.height(r);
    if (hl > hr + 1) {
      if (Node.height(l.left) >= Node.height(l.right)) {
        return new Node(l.kv, l.left, new Node(kv, l.right, r));
      }
      return new Node(l.right.kv, new Node(l.kv, l.left, l.right.left), new Node(kv, l.right.right, r));
    }
    if (hr > hl + 1) {
      if (Node.height(r.right) >= Node.height(r.left)) {
        return new Node(r.kv, new Node(kv, l, r.left), r.right);
      }
      return new Node(r.left.kv, new Node(kv, l, r.left.left), new Node(r.kv, r.left.right, r.right));
    }
    return new Node(kv, l, r);
  }

  /** An immutable AVL node: entries whose keys compare equal, and the subtrees. */
  private static final class Node {
    final Object[] kv;
    final Node left;
    final Node right;
    final int height;
    final int size;

    Node(Object[] kv, Node left, Node right) {
      this.kv = kv;
      this.left = left;
      this.right = right;
      this.height = Math.max(height(left), height(right)) + 1;
      this.size = size(left) + size(right) + kv.length / 2;
    }

    static int height(Node n) {
      return n == null ? 0 : n.height;
    }

    static int size(Node n) {
      return n == null ? 0 : n.size;
    }
  }
}
