package dev.atoll.testkit;

import java.util.concurrent.ConcurrentHashMap;

/** Lincheck model checking and stress on {@link ConcurrentHashMap}: the first, passing example. */
public class JdkConcurrentHashMapLincheckTest extends ConcurrentMapLincheck {
  public JdkConcurrentHashMapLincheckTest() {
    super(new ConcurrentHashMap<>());
  }
}
