package dev.atoll.leftright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Sequential semantics of {@link LeftRightMap}: publishing, bags, meta, listeners, closing, errors. */
class LeftRightMapTest {
  private final LeftRightMap<String, Integer, String> map = LeftRightMap.create();
  private final WriteHandle<String, Integer, String> w = map.writer();
  private final ReadHandle<String, Integer, String> r = map.readers().handle();

  private static List<Integer> sorted(Values<Integer> v) {
    return v.stream().sorted().collect(Collectors.toList());
  }

  @Test
  void writesAreInvisibleUntilPublish() {
    w.insert("a", 1).update("b", 2);
    assertTrue(w.hasPending());
    assertNull(r.getOne("a"));
    assertFalse(r.containsKey("b"));
    assertEquals(0, r.publishCount());
    assertEquals(1, w.publish());
    assertFalse(w.hasPending());
    assertEquals(1, r.getOne("a"));
    assertEquals(2, r.getOne("b"));
    assertEquals(2, r.size());
    assertEquals(1, r.publishCount());
    // the writer reads the published state too
    assertEquals(1, w.getOne("a"));
    w.removeEntry("a");
    assertEquals(1, w.getOne("a"));
    w.publish();
    assertNull(w.getOne("a"));
    assertNull(r.get("a"));
  }

  @Test
  void bagsKeepDuplicatesAndRemoveOneCopyAtATime() {
    w.insert("k", 1).insert("k", 1).insert("k", 2);
    w.publish();
    assertEquals(List.of(1, 1, 2), sorted(r.get("k")));
    assertEquals(2, r.get("k").count(1));
    assertTrue(r.containsValue("k", 2));
    w.removeValue("k", 1);
    w.publish();
    assertEquals(List.of(1, 2), sorted(r.get("k")));
    w.removeValue("k", 1).removeValue("k", 2).removeValue("k", 7);
    w.publish();
    assertTrue(r.containsKey("k"), "removing the last value keeps the key, as in evmap");
    assertTrue(r.get("k").isEmpty());
    w.insert("k", 5).update("k", 9);
    w.publish();
    assertEquals(List.of(9), sorted(r.get("k")));
    w.empty("k");
    w.publish();
    assertFalse(r.containsKey("k"));
  }

  @Test
  void retainClearAndPurge() {
    for (int i = 0; i < 10; i++) {
      w.insert("k", i);
    }
    w.insert("other", 1).retain("k", v -> v % 2 == 0).retain("absent", v -> false);
    w.publish();
    assertEquals(List.of(0, 2, 4, 6, 8), sorted(r.get("k")));
    assertFalse(r.containsKey("absent"));
    w.clear("other");
    w.publish();
    assertTrue(r.containsKey("other") && r.get("other").isEmpty());
    w.clear();
    w.insert("after", 1);
    w.publish();
    assertEquals(Set.of("after"), keys(r));
    w.purge();
    w.publish();
    assertTrue(r.isEmpty());
    w.insert("again", 3);
    w.publish();
    assertEquals(3, r.getOne("again"));
    w.insert("again", 4);
    w.publish();
    assertEquals(List.of(3, 4), sorted(r.get("again")));
  }

  @Test
  void storageSwitchesBetweenInlineSmallAndHashedAndFitsBack() {
    w.insert("k", 0);
    w.publish();
    assertInstanceOf(Values.One.class, r.get("k"), "a single value is stored inline");
    for (int i = 1; i <= Values.Small.MAX; i++) {
      w.insert("k", i);
    }
    w.publish();
    assertInstanceOf(Values.Hashed.class, r.get("k"));
    assertEquals(Values.Small.MAX + 1, r.get("k").size());
    for (int i = 1; i <= Values.Small.MAX; i++) {
      w.removeValue("k", i);
    }
    w.publish();
    assertInstanceOf(Values.Hashed.class, r.get("k"), "shrinking does not change the form by itself");
    Set<String> changed = new java.util.HashSet<>();
    Subscription s = w.onPublish(e -> changed.addAll(e.changedKeys()));
    w.fit("k");
    w.publish();
    s.close();
    assertInstanceOf(Values.One.class, r.get("k"), "fit stores a single value inline again");
    assertEquals(List.of(0), sorted(r.get("k")));
    assertEquals(Set.of(), changed, "fit changes no contents");
    w.insert("k", 1).insert("k", 2).insert("j", 1).insert("j", 1).insert("j", 1);
    w.fitAll();
    w.publish();
    assertInstanceOf(Values.Small.class, r.get("k"));
    assertEquals(List.of(0, 1, 2), sorted(r.get("k")));
    assertEquals(3, r.get("j").count(1));
  }

  @Test
  void aBagAReaderHoldsNeverChanges() {
    w.insert("k", 1).insert("k", 2);
    w.publish();
    Values<Integer> held = r.get("k");
    w.insert("k", 3).removeValue("k", 1);
    w.publish();
    w.insert("k", 4);
    w.publish();
    assertEquals(List.of(1, 2), sorted(held));
    assertEquals(List.of(2, 3, 4), sorted(r.get("k")));
  }

  @Test
  void bagsCompareAsMultisets() {
    w.insert("a", 1).insert("a", 2).insert("a", 2).insert("b", 2).insert("b", 1).insert("b", 2).insert("c", 1);
    w.insert("c", 2).insert("c", 1);
    w.publish();
    assertEquals(r.get("a"), r.get("b"));
    assertEquals(r.get("a").hashCode(), r.get("b").hashCode());
    assertFalse(r.get("a").equals(r.get("c")));
  }

  @Test
  void metaIsPublishedWithTheData() {
    LeftRightMap<String, Integer, String> m = LeftRightMap.<String, Integer, String>builder()
        .initialCapacity(4).meta("initial").build();
    ReadHandle<String, Integer, String> reader = m.readers().handle();
    assertEquals("initial", reader.meta());
    m.writer().setMeta("v1").insert("x", 1);
    assertTrue(m.writer().hasPending());
    assertEquals("initial", reader.meta());
    m.writer().publish();
    assertEquals("v1", reader.meta());
    m.writer().setMeta("v2");
    assertTrue(m.writer().hasPending(), "a new meta alone is a pending change");
    m.writer().publish();
    try (ReadGuard<String, Integer, String> g = reader.enter()) {
      assertEquals("v2", g.meta());
      assertEquals(2, g.publishCount());
      assertEquals(1, g.getOne("x"));
    }
  }

  @Test
  void aGuardKeepsOneStateAcrossPublishes() throws Exception {
    w.insert("a", 1);
    w.publish();
    ReadGuard<String, Integer, String> g = r.enter();
    Thread publisher = new Thread(() -> {
      w.update("a", 2);
      w.publish();
    });
    publisher.start();
    // the publish swaps, then waits for the guard: the guard and its handle still see state 1
    while (w.publishCount() < 2) {
      Thread.onSpinWait();
    }
    assertTrue(publisher.isAlive(), "publish must wait for the open guard");
    assertEquals(1, g.getOne("a"));
    assertEquals(1, r.getOne("a"));
    assertEquals(1, g.publishCount());
    // a new handle never waits for the publish in progress, and sees the new state
    try (ReadHandle<String, Integer, String> other = map.readers().handle()) {
      assertEquals(2, other.getOne("a"));
    }
    g.close();
    publisher.join();
    assertEquals(2, r.getOne("a"));
    assertThrows(IllegalStateException.class, () -> g.getOne("a"));
    g.close(); // idempotent
  }

  @Test
  void forEachAndStreamShowOneState() {
    Map<String, List<Integer>> expected = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      w.insert("k" + (i % 10), i);
      expected.computeIfAbsent("k" + (i % 10), k -> new ArrayList<>()).add(i);
    }
    w.publish();
    Map<String, List<Integer>> seen = new HashMap<>();
    r.forEach((k, v) -> seen.put(k, sorted(v)));
    assertEquals(expected, seen);
    try (ReadGuard<String, Integer, String> g = r.enter()) {
      assertEquals(expected, g.stream().collect(Collectors.toMap(Map.Entry::getKey, e -> sorted(e.getValue()))));
      assertEquals(10, g.size());
    }
  }

  @Test
  void listenersGetEpochMetaAndChangedKeysAndCanUnsubscribe() {
    List<PublishEvent<String, String>> events = new ArrayList<>();
    Subscription s = w.onPublish(events::add);
    assertEquals(1, w.listenerCount());
    w.insert("a", 1).insert("b", 1).removeEntry("b").setMeta("m1");
    w.publish();
    w.publish(); // an empty publish is still an event
    s.close();
    s.close();
    assertEquals(0, w.listenerCount());
    w.insert("c", 1);
    w.publish();
    assertEquals(List.of(new PublishEvent<>(1, "m1", Set.of("a", "b")), new PublishEvent<>(2, "m1", Set.of())), events);
  }

  @Test
  void aFailingListenerDoesNotUndoThePublishNorStopOthers() {
    List<Long> seen = new ArrayList<>();
    w.onPublish(e -> {
      throw new IllegalArgumentException("listener bug");
    });
    w.onPublish(e -> seen.add(e.epoch()));
    w.insert("a", 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, w::publish);
    assertEquals("listener bug", e.getMessage());
    assertEquals(List.of(1L), seen);
    assertEquals(1, r.getOne("a"));
    assertFalse(w.hasPending());
  }

  @Test
  void whenPublishedCompletesAtTheEpochOrFailsOnClose() throws Exception {
    CompletableFuture<Long> now = w.whenPublished(0);
    assertEquals(0L, now.get());
    CompletableFuture<Long> two = w.whenPublished(2);
    w.publish();
    assertFalse(two.isDone());
    w.publish();
    assertEquals(2L, two.get());
    CompletableFuture<Long> never = w.whenPublished(10);
    w.close();
    ExecutionException ex = assertThrows(ExecutionException.class, never::get);
    assertInstanceOf(IllegalStateException.class, ex.getCause());
    assertTrue(w.whenPublished(11).isCompletedExceptionally());
  }

  @Test
  void closingTheMapEndsReadersListenersAndWrites() {
    List<String> calls = new ArrayList<>();
    w.onPublish(new PublishListener<>() {
      @Override
      public void onPublish(PublishEvent<String, String> event) {
        calls.add("publish");
      }

      @Override
      public void onClose() {
        calls.add("close");
      }
    });
    w.insert("a", 1);
    w.publish();
    w.close();
    w.close(); // idempotent
    assertTrue(w.isClosed());
    assertEquals(List.of("publish", "close"), calls);
    assertEquals(0, w.listenerCount());
    assertThrows(IllegalStateException.class, () -> r.getOne("a"));
    assertThrows(IllegalStateException.class, () -> r.enter());
    assertThrows(IllegalStateException.class, () -> map.readers().handle());
    assertThrows(IllegalStateException.class, () -> w.insert("b", 1));
    assertThrows(IllegalStateException.class, w::publish);
    assertThrows(IllegalStateException.class, () -> w.getOne("a"));
    assertThrows(IllegalStateException.class, () -> w.onPublish(e -> { }));
  }

  @Test
  void aClosedHandleFailsAndIsForgotten() {
    ReadHandle<String, Integer, String> h = map.readers().handle();
    assertEquals(2, map.readers().handleCount());
    ReadGuard<String, Integer, String> g = h.enter();
    assertThrows(IllegalStateException.class, h::enter, "one guard at a time per handle");
    h.close();
    assertTrue(h.isClosed());
    assertEquals(1, map.readers().handleCount());
    assertThrows(IllegalStateException.class, () -> h.getOne("a"));
    assertThrows(IllegalStateException.class, h::size);
    assertThrows(IllegalStateException.class, () -> g.getOne("a"), "closing the handle closed its guard");
    w.insert("a", 1);
    w.publish(); // does not wait for the closed handle
    assertEquals(1, r.getOne("a"));
  }

  @Test
  void nullsAndBadArgumentsAreRejected() {
    assertThrows(NullPointerException.class, () -> w.insert(null, 1));
    assertThrows(NullPointerException.class, () -> w.insert("a", null));
    assertThrows(NullPointerException.class, () -> w.update("a", null));
    assertThrows(NullPointerException.class, () -> w.removeValue("a", null));
    assertThrows(NullPointerException.class, () -> w.retain("a", null));
    assertThrows(NullPointerException.class, () -> r.get(null));
    assertThrows(NullPointerException.class, () -> r.getOne(null));
    assertThrows(NullPointerException.class, () -> r.containsValue("a", null));
    assertThrows(NullPointerException.class, () -> w.onPublish(null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LeftRightMap.builder().initialCapacity(-1));
    assertTrue(e.getMessage().contains("initialCapacity"), e.getMessage());
    assertFalse(w.hasPending(), "rejected calls changed nothing");
  }

  @Test
  void aSecondCallerWhileACallIsInProgressIsDetected() {
    w.onPublish(e -> w.insert("from a listener", 1));
    IllegalStateException e = assertThrows(IllegalStateException.class, w::publish);
    assertTrue(e.getMessage().contains("withLock"), e.getMessage());
    w.insert("a", 1); // the handle is usable again
    assertTrue(w.hasPending());
  }

  @Test
  void withLockLetsManyThreadsWrite() throws Exception {
    int threads = 4;
    int each = 2_000;
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      int id = t;
      new Thread(() -> {
        for (int i = 0; i < each; i++) {
          int n = i;
          w.withLock(h -> {
            h.insert("t" + id, n);
            return n % 100 == 0 ? h.publish() : 0L;
          });
        }
        done.countDown();
      }).start();
    }
    assertTrue(done.await(2, TimeUnit.MINUTES), "deadlock guard, not a timing assertion");
    w.withLock(WriteHandle::publish);
    for (int t = 0; t < threads; t++) {
      assertEquals(each, r.get("t" + t).size());
    }
  }

  @Test
  void theSameWriterAndFactoryAreHandedOut() {
    assertSame(w, map.writer());
    assertSame(map.readers(), r.factory());
    assertSame(map.readers(), w.readers());
  }

  private static Set<String> keys(ReadHandle<String, Integer, String> r) {
    Set<String> keys = new java.util.HashSet<>();
    r.forEach((k, v) -> keys.add(k));
    return keys;
  }
}
