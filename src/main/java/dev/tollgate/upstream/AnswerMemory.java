package dev.tollgate.upstream;

import dev.tollgate.platform.TollgateConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The heap that upstream bodies being read may hold, across all calls. A non-streamed answer is held whole until it
 * is checked and recorded, and one with logprobs runs to tens of megabytes: a few at once ran the heap out, which
 * hung every call in flight. Past this budget a body is refused instead, and its call told to retry; one the whole
 * budget could not hold is too large.
 */
@ApplicationScoped
public class AnswerMemory {

    private static final Logger LOG = Logger.getLogger(AnswerMemory.class);

    private final AtomicLong held = new AtomicLong();
    private final long budget;

    @Inject
    public AnswerMemory(TollgateConfig config, MeterRegistry metrics) {
        // by default a share of the heap that leaves the rest of the gateway room to work
        this.budget = config.upstream().answerMemory().map(MemorySize::asLongValue)
                .orElse(Runtime.getRuntime().maxMemory() / 5 * 2);
        long maxAnswer = config.upstream().maxAnswerSize().asLongValue();
        if (2 * maxAnswer > budget) {
            LOG.infof("Non-streamed answers over %d bytes are refused as too large, below tollgate.upstream."
                    + "max-answer-size (%d): tollgate.upstream.answer-memory (%d bytes) counts each byte read twice."
                    + " A larger heap or answer-memory raises it; streamed answers are not affected.",
                    budget / 2, maxAnswer, budget);
        }
        Gauge.builder("tollgate_upstream_answer_memory_bytes", this, AnswerMemory::held)
                .description("Bytes of upstream bodies being read, held whole, against tollgate.upstream.answer-memory")
                .register(metrics);
    }

    /** Takes {@code bytes} of the budget, or none and false when they do not fit beside what is held. */
    boolean take(long bytes) {
        long now;
        do {
            now = held.get();
            if (now + bytes > budget) {
                return false;
            }
        } while (!held.compareAndSet(now, now + bytes));
        return true;
    }

    void give(long bytes) {
        held.addAndGet(-bytes);
    }

    public long budget() {
        return budget;
    }

    /** Bytes taken now, by bodies being read. */
    public long held() {
        return held.get();
    }
}
