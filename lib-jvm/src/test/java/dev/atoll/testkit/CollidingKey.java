package dev.atoll.testkit;

/**
 * A key whose {@code hashCode()} is the same for every instance: the hash-flooding case. It is
 * {@link Comparable}, so maps can keep a colliding bucket ordered; {@link Opaque} is the variant
 * without an order.
 */
public final class CollidingKey implements Comparable<CollidingKey> {
  private final int id;

  public CollidingKey(int id) {
    this.id = id;
  }

  public int id() {
    return id;
  }

  @Override
  public int hashCode() {
    return 42;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CollidingKey && ((CollidingKey) o).id == id;
  }

  @Override
  public int compareTo(CollidingKey o) {
    return Integer.compare(id, o.id);
  }

  @Override
  public String toString() {
    return "CollidingKey(" + id + ")";
  }

  /** A colliding key that is not {@link Comparable}: maps can only search such keys linearly. */
  public static final class Opaque {
    private final int id;

    public Opaque(int id) {
      this.id = id;
    }

    @Override
    public int hashCode() {
      return 42;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Opaque && ((Opaque) o).id == id;
    }

    @Override
    public String toString() {
      return "Opaque(" + id + ")";
    }
  }
}
