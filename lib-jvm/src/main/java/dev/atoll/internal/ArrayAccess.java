package dev.atoll.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Memory-ordered access to array elements through {@link VarHandle}s, named by their ordering so
 * that each call site shows it (after {@code ConcurrentHashMap}'s {@code tabAt}/{@code casTabAt}).
 *
 * <p>The reference handle is declared for {@code Object[]} and works on any reference array; a
 * store of an element of the wrong type fails with {@link ArrayStoreException} as a plain store would.
 */
public final class ArrayAccess {
  private static final VarHandle OBJECTS = MethodHandles.arrayElementVarHandle(Object[].class);
  private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private ArrayAccess() {}

  // ---- references

  /** Volatile read of {@code a[i]}. */
  @SuppressWarnings("unchecked")
  public static <T> T getVolatile(T[] a, int i) {
    return (T) OBJECTS.getVolatile((Object[]) a, i);
  }

  /**
   * Opaque read of {@code a[i]}: the latest value in coherence order, with no ordering of other
   * accesses (for a slot whose ordering is already established by an earlier acquire read).
   */
  @SuppressWarnings("unchecked")
  public static <T> T getOpaque(T[] a, int i) {
    return (T) OBJECTS.getOpaque((Object[]) a, i);
  }

  /** Acquire read of {@code a[i]}: later reads see everything written before the matching release. */
  @SuppressWarnings("unchecked")
  public static <T> T getAcquire(T[] a, int i) {
    return (T) OBJECTS.getAcquire((Object[]) a, i);
  }

  /** Release write of {@code a[i]}: earlier writes are visible to an acquire read that sees it. */
  public static <T> void setRelease(T[] a, int i, T v) {
    OBJECTS.setRelease((Object[]) a, i, v);
  }

  /** Volatile write of {@code a[i]}. */
  public static <T> void setVolatile(T[] a, int i, T v) {
    OBJECTS.setVolatile((Object[]) a, i, v);
  }

  /** Volatile compare-and-set of {@code a[i]} (identity comparison). */
  public static <T> boolean cas(T[] a, int i, T expected, T update) {
    return OBJECTS.compareAndSet((Object[]) a, i, expected, update);
  }

  /** Volatile compare-and-exchange of {@code a[i]}; returns the witness value. */
  @SuppressWarnings("unchecked")
  public static <T> T cax(T[] a, int i, T expected, T update) {
    return (T) OBJECTS.compareAndExchange((Object[]) a, i, expected, update);
  }

  // ---- ints

  /** Volatile read of {@code a[i]}. */
  public static int getVolatile(int[] a, int i) {
    return (int) INTS.getVolatile(a, i);
  }

  /** Acquire read of {@code a[i]}. */
  public static int getAcquire(int[] a, int i) {
    return (int) INTS.getAcquire(a, i);
  }

  /** Release write of {@code a[i]}. */
  public static void setRelease(int[] a, int i, int v) {
    INTS.setRelease(a, i, v);
  }

  /** Volatile compare-and-set of {@code a[i]}. */
  public static boolean cas(int[] a, int i, int expected, int update) {
    return INTS.compareAndSet(a, i, expected, update);
  }

  /** Atomic add returning the previous value. */
  public static int getAndAdd(int[] a, int i, int delta) {
    return (int) INTS.getAndAdd(a, i, delta);
  }

  // ---- longs

  /** Volatile read of {@code a[i]}. */
  public static long getVolatile(long[] a, int i) {
    return (long) LONGS.getVolatile(a, i);
  }

  /** Acquire read of {@code a[i]}. */
  public static long getAcquire(long[] a, int i) {
    return (long) LONGS.getAcquire(a, i);
  }

  /** Release write of {@code a[i]}. */
  public static void setRelease(long[] a, int i, long v) {
    LONGS.setRelease(a, i, v);
  }

  /** Volatile compare-and-set of {@code a[i]}. */
  public static boolean cas(long[] a, int i, long expected, long update) {
    return LONGS.compareAndSet(a, i, expected, update);
  }

  /** Atomic add returning the previous value. */
  public static long getAndAdd(long[] a, int i, long delta) {
    return (long) LONGS.getAndAdd(a, i, delta);
  }
}
