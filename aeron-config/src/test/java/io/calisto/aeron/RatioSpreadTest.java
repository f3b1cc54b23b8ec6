package io.calisto.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RatioSpreadTest {
    @Test
    void medianOfAnOddCountIsTheMiddleRoundWhateverTheOrder() {
        RatioSpread s = RatioSpread.of(new double[] {1.354, 0.900, 1.073});
        assertEquals(new RatioSpread(1.073, 0.900, 1.354, 3), s);
        assertEquals("ratio=1.073 ratio_min=0.900 ratio_max=1.354 rounds=3", s.fields("3"));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleRounds() {
        assertEquals(new RatioSpread(0.25, 0.1, 0.9, 4), RatioSpread.of(new double[] {0.9, 0.1, 0.3, 0.2}));
    }

    @Test
    void theCallersArrayIsLeftAsItWas() {
        double[] rounds = {3, 1, 2};
        RatioSpread.of(rounds);
        assertEquals(3, rounds[0]);
    }

    @Test
    void noRoundsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RatioSpread.of(new double[0]));
    }
}
