package dev.tollgate.apikey;

import java.time.Instant;

/** Rotation: the old key keeps working until graceUntil (now or absent = stops at once). */
public record RotateInput(Instant graceUntil) {
}
