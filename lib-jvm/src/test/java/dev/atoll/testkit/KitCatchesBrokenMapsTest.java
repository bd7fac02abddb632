package dev.atoll.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Proves that the kit can fail: it runs contract tests against deliberately broken maps
 * ({@link BrokenMaps}) and asserts that each bug is caught by the test meant to catch it.
 */
class KitCatchesBrokenMapsTest {
  @Test
  void nullsAreCaught() {
    assertFails(BrokenMaps.NonAtomicLeakyMapContract.class, "nullKeysAndValuesAreRejected");
  }

  @Test
  void leakedRemovedValuesAreCaught() {
    assertFails(BrokenMaps.NonAtomicLeakyMapContract.class, "removedAndReplacedValuesBecomeUnreachable");
  }

  @Test
  void nonAtomicReadModifyWriteIsCaught() {
    // The race is real but not certain in one run; three runs make a miss vanishingly unlikely.
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TestExecutionSummary s = run(BrokenMaps.NonAtomicLeakyMapContract.class, "concurrentCountersLoseNoUpdate");
      outcomes.add(s.getTotalFailureCount() + " failures");
      if (s.getTotalFailureCount() > 0) {
        return;
      }
    }
    throw new AssertionError("lost updates went unnoticed in 3 runs: " + outcomes);
  }

  @Test
  void aTableThatNeverShrinksIsCaught() {
    assertFails(BrokenMaps.NeverShrinksContract.class, "growsToAMillionEntriesAndShrinksBack");
  }

  private static void assertFails(Class<?> contract, String method) {
    TestExecutionSummary s = run(contract, method);
    assertTrue(s.getTestsStartedCount() == 1, "the test must have run: " + method);
    assertTrue(s.getTotalFailureCount() == 1, method + " should have failed on " + contract.getSimpleName());
  }

  private static TestExecutionSummary run(Class<?> contract, String method) {
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectMethod(contract, method))
        .build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launcher.execute(request, listener);
    return listener.getSummary();
  }
}
