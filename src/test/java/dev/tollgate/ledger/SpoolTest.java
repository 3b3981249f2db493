package dev.tollgate.ledger;

import static dev.tollgate.ledger.LedgerFixtures.entry;
import static dev.tollgate.ledger.LedgerFixtures.segments;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on its own: the line format, segments, the checkpoint, damaged files, the directory lock. */
class SpoolTest {

    @TempDir
    Path dir;

    private static Spool open(Path dir, long segmentBytes) throws IOException {
        return Spool.open(dir, segmentBytes, Duration.ofSeconds(1));
    }

    private static List<LedgerEntry> readAll(Spool spool, Spool.Pos from) throws IOException {
        Spool.Read r = spool.read(from, spool.tail(), Integer.MAX_VALUE, spool.layout());
        assertEquals(List.of(), r.corrupt());
        return r.entries().stream().map(Spool.Spooled::entry).toList();
    }

    @Test
    void aLineDecodesToTheSameEntryWithEveryFieldExact() throws Exception {
        LedgerEntry full = LedgerEntry.builder("req-\"quoted\"\n-ünïcode", 3, 42, 43, "deepseek-reasoner",
                        LedgerFixtures.RECEIVED)
                .aliasUsed("deepseek-reasoner").modelServed("deepseek-v4-flash").upstream("https://api.deepseek.com")
                .streamed(true).thinkingMode("high").firstByteAt(LedgerFixtures.RECEIVED.plusNanos(1_500_000))
                .finishedAt(LedgerFixtures.RECEIVED.plusSeconds(3)).httpStatus(200).errorType("client_abort")
                .finishReason(null).tokens(5000, 4096, 904, 777, 512).usageEstimated(true)
                .cost(LedgerFixtures.cost(LedgerFixtures.RECEIVED, "0.0034567876", "0.000000000001", "123.4567890123456789"))
                .clientRequestId("trace:7").userId("user_1").tags(List.of("a=b", "with,comma", "quote\"d", "")).build();
        LedgerEntry bare = LedgerEntry.builder("r", 1, 1, 1, "m", LedgerFixtures.RECEIVED).build();
        for (LedgerEntry e : List.of(full, bare)) {
            byte[] line = SpoolCodec.encode(e);
            assertEquals('\n', line[line.length - 1]);
            assertEquals(1, new String(line, StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count());
            assertEquals(e, SpoolCodec.decode(line, 0, line.length - 1));
        }
    }

    @Test
    void aLineSpooledByAnEarlierVersionWithIsoInstantsIsStillRead() throws Exception {
        String json = "{\"request_id\":\"old\",\"attempt\":1,\"tenant_id\":7,\"key_id\":9,"
                + "\"model_requested\":\"deepseek-chat\",\"streamed\":false,"
                + "\"received_at\":\"2026-05-14T09:30:00.123456Z\",\"finished_at\":\"2026-05-14T09:30:02.000001Z\","
                + "\"prompt_tokens\":0,\"prompt_cache_hit_tokens\":0,\"prompt_cache_miss_tokens\":0,"
                + "\"completion_tokens\":0,\"reasoning_tokens\":0,\"usage_estimated\":false,\"tags\":[]}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes);
        byte[] line = (String.format("%08x ", crc.getValue()) + json).getBytes(StandardCharsets.UTF_8);

        LedgerEntry e = SpoolCodec.decode(line, 0, line.length);

        assertEquals(Instant.parse("2026-05-14T09:30:00.123456Z"), e.receivedAt());
        assertEquals(Instant.parse("2026-05-14T09:30:02.000001Z"), e.finishedAt());
        assertEquals("deepseek-chat", e.modelRequested());
    }

    @Test
    void instantsKeepTheirMicrosecondsAndDatesBeforeTheEpochToo() throws Exception {
        for (Instant at : List.of(Instant.parse("2026-11-30T23:59:59.999999Z"), Instant.parse("1969-12-31T23:59:59.5Z"))) {
            byte[] line = SpoolCodec.encode(LedgerEntry.builder("r", 1, 1, 1, "m", at).finishedAt(at.plusNanos(1_000)).build());
            LedgerEntry back = SpoolCodec.decode(line, 0, line.length - 1);
            assertEquals(at, back.receivedAt());
            assertEquals(at.plusNanos(1_000), back.finishedAt());
        }
    }

    @Test
    void aDamagedLineIsRefused() {
        byte[] line = SpoolCodec.encode(entry("damaged"));
        line[40] ^= 1;
        assertThrows(SpoolCodec.CorruptLineException.class, () -> SpoolCodec.decode(line, 0, line.length - 1));
        byte[] cut = SpoolCodec.encode(entry("cut"));
        assertThrows(SpoolCodec.CorruptLineException.class, () -> SpoolCodec.decode(cut, 0, cut.length / 2));
    }

    @Test
    void rowsAreReadBackInOrderAcrossSegmentsAndCommittedSegmentsAreDeleted() throws Exception {
        try (Spool spool = open(dir, 4096)) {
            List<LedgerEntry> written = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                LedgerEntry e = entry("seg-" + i);
                spool.append(SpoolCodec.encode(e));
                written.add(e);
            }
            assertTrue(segments(dir) > 10, "small segments make many files");
            Spool.Pos start = spool.start();
            assertEquals(written, readAll(spool, start));

            // Read in small steps, as the writer does, and commit as it goes.
            Spool.Pos at = start;
            List<LedgerEntry> stepped = new ArrayList<>();
            while (at.compareTo(spool.tail()) < 0) {
                Spool.Read r = spool.read(at, spool.tail(), 7, spool.layout());
                r.entries().forEach(s -> stepped.add(s.entry()));
                at = r.next();
                spool.committed(spool.normalize(at));
            }
            assertEquals(written, stepped);
            assertEquals(1, segments(dir), "only the active segment is left");
        }
    }

    @Test
    void aRestartResumesAfterTheCheckpointAndIgnoresADamagedOne() throws Exception {
        List<LedgerEntry> written = new ArrayList<>();
        try (Spool spool = open(dir, 1 << 20)) {
            for (int i = 0; i < 10; i++) {
                LedgerEntry e = entry("cp-" + i);
                spool.append(SpoolCodec.encode(e));
                written.add(e);
            }
            Spool.Read firstFour = spool.read(spool.start(), spool.tail(), 4, spool.layout());
            spool.committed(spool.normalize(firstFour.next()));
        }
        try (Spool spool = open(dir, 1 << 20)) {
            assertEquals(6, spool.rowsFound());
            assertEquals(written.subList(4, 10), readAll(spool, spool.start()));
        }
        Files.writeString(dir.resolve(Spool.CHECKPOINT), "v1 garbage\n");
        try (Spool spool = open(dir, 1 << 20)) {
            assertEquals(written, readAll(spool, spool.start()), "without a checkpoint everything is replayed");
        }
    }

    @Test
    void aTornLastLineAndADamagedLineAreSetAsideAndTheRestIsRead() throws Exception {
        List<LedgerEntry> written = new ArrayList<>();
        Path segment;
        try (Spool spool = open(dir, 1 << 20)) {
            for (int i = 0; i < 5; i++) {
                LedgerEntry e = entry("torn-" + i);
                spool.append(SpoolCodec.encode(e));
                written.add(e);
            }
            segment = dir.resolve(String.format("ledger-%019d.spool", spool.tail().segment()));
        }
        // The previous run died in the middle of a write, and a bit flipped in the second line.
        byte[] half = SpoolCodec.encode(entry("never-acknowledged"));
        Files.write(segment, java.util.Arrays.copyOf(half, half.length / 2), StandardOpenOption.APPEND);
        byte[] bytes = Files.readAllBytes(segment);
        int secondLine = new String(bytes, StandardCharsets.UTF_8).indexOf("torn-1");
        bytes[secondLine] = 'X';
        Files.write(segment, bytes);

        try (Spool spool = open(dir, 1 << 20)) {
            Spool.Read r = spool.read(spool.start(), spool.tail(), Integer.MAX_VALUE, spool.layout());
            assertEquals(List.of(written.get(0), written.get(2), written.get(3), written.get(4)),
                    r.entries().stream().map(Spool.Spooled::entry).toList());
            assertEquals(2, r.corrupt().size());
            assertTrue(r.corrupt().get(1).reason().startsWith("torn last line"), r.corrupt().get(1).reason());
            assertArrayEquals(java.util.Arrays.copyOf(half, half.length / 2), r.corrupt().get(1).raw());
        }
    }

    @Test
    void aSecondProcessCannotOpenTheSameSpool() throws Exception {
        try (Spool spool = open(dir, 1 << 20)) {
            IOException e = assertThrows(IOException.class, () -> open(dir, 1 << 20));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        open(dir, 1 << 20).close();
    }
}
