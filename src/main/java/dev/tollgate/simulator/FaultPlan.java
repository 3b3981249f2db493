package dev.tollgate.simulator;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults decided by configuration rather than by the request: a queue of faults for the next requests
 * (e.g. "503, 503, then fine" for a retry test), a fixed fault per model, and a fault on every Nth request.
 * Changeable at run time, in process or through POST /_simulator/faults, because a gateway under test
 * does not pass the simulator's own request header on.
 */
public final class FaultPlan {

    private final ConcurrentLinkedDeque<Fault> next = new ConcurrentLinkedDeque<>();
    private final Map<String, Fault> byModel = new ConcurrentHashMap<>();
    private final AtomicLong counter = new AtomicLong();
    private final SimulatorSettings settings;
    private volatile int every;
    private volatile Fault everyKind;

    /** The current plan, also the body of GET /_simulator/faults. */
    public record View(List<String> next, Map<String, String> models, int every, String everyFault) {
    }

    FaultPlan(SimulatorSettings settings) {
        this.settings = settings;
        clear();
    }

    /** The next requests get these faults, one each, in order. */
    public FaultPlan next(Fault... faults) {
        next.addAll(List.of(faults));
        return this;
    }

    public FaultPlan forModel(String model, Fault fault) {
        Models.served(model);
        if (fault == null) {
            byModel.remove(model);
        } else {
            byModel.put(model, fault);
        }
        return this;
    }

    /** Request number N, 2N, 3N... (counted from now) gets the fault; 0 turns it off. */
    public FaultPlan every(int n, Fault fault) {
        every = n;
        everyKind = fault;
        counter.set(0);
        return this;
    }

    /** Back to what the settings say. */
    public void clear() {
        next.clear();
        byModel.clear();
        byModel.putAll(settings.faultByModel());
        every(settings.faultEvery(), settings.faultEveryKind());
    }

    public View view() {
        List<String> queued = new ArrayList<>();
        next.forEach(f -> queued.add(f.wireName()));
        Map<String, String> models = new LinkedHashMap<>();
        byModel.forEach((m, f) -> models.put(m, f.wireName()));
        return new View(queued, models, every, everyKind.wireName());
    }

    /** The first queued fault, taken off the queue, or null. */
    Fault takeNext() {
        return next.pollFirst();
    }

    /** A queued fault whose request was refused before it could show: it goes to the next request instead. */
    void putBack(Fault fault) {
        next.offerFirst(fault);
    }

    /** The model's and the every-Nth fault for one chat request; counts it towards "every Nth". */
    Set<Fault> pick(String model) {
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        Fault fixed = byModel.get(model);
        if (fixed != null) {
            faults.add(fixed);
        }
        int n = every;
        if (counter.incrementAndGet() % Math.max(1, n) == 0 && n > 0) {
            faults.add(everyKind);
        }
        return faults;
    }
}
