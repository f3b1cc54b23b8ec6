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

    @Test
    void aRoundWithoutARatioIsLeftOutAndNotCounted() {
        // 0/0 and x/0: a baseline window that measured nothing (seen at load 16: the IO thread got no CPU for 2 s)
        RatioSpread s = RatioSpread.of(new double[] {0.5, 0.0 / 0.0, 0.25, 1.0 / 0.0});
        assertEquals(new RatioSpread(0.375, 0.25, 0.5, 2), s);
        assertEquals("ratio=0.375 ratio_min=0.250 ratio_max=0.500 rounds=2", s.fields("3"));
    }

    @Test
    void noRoundWithARatioSaysNone() {
        RatioSpread s = RatioSpread.of(new double[] {0.0 / 0.0, 0.0 / 0.0});
        assertEquals(0, s.rounds());
        assertEquals("ratio=none ratio_min=none ratio_max=none rounds=0", s.fields("3"));
    }
}
