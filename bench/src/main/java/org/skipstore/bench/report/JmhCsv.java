package org.skipstore.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Reads JMH's {@code -rf csv} files for {@link JmhResults}: RFC 4180 as JMH writes it, numbers in
 * the writer's locale. Errors say {@code "line N: "}, N the line (from 1) that is wrong.
 */
final class JmhCsv {

    private JmhCsv() {
    }

    /** The rows of a {@code -rf csv} file: a header, then a line per primary and per secondary result. */
    static List<JmhResults.Row> parse(String text) {
        List<CsvLine> lines = csvLines(text);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("line 1: no header (an empty file)");
        }
        List<String> header = lines.getFirst().fields();
        int benchmark = column(header, "Benchmark");
        int mode = column(header, "Mode");
        int score = column(header, "Score");
        int error = column(header, "Score Error"); // "(99.9%)" follows, in the writer's locale
        int unit = column(header, "Unit");
        int threads = header.indexOf("Threads"); // JMH writes it; -1: a file without it is of one thread
        List<JmhResults.Row> rows = new ArrayList<>();
        for (CsvLine line : lines.subList(1, lines.size())) {
            List<String> f = line.fields();
            if (f.size() != header.size()) {
                throw new IllegalArgumentException("line " + line.number() + ": " + f.size() + " fields, the header has "
                        + header.size());
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                // a benchmark without the parameter leaves its column empty
                if (header.get(i).startsWith("Param: ") && !f.get(i).isEmpty()) {
                    params.put(header.get(i).substring("Param: ".length()), f.get(i));
                }
            }
            rows.add(new JmhResults.Row(f.get(benchmark), f.get(mode), threads < 0 ? 1 : csvThreads(f.get(threads), line),
                    csvNumber(f.get(score), line), csvNumber(f.get(error), line), f.get(unit), params));
        }
        return rows;
    }

    /** The index of the header's column {@code name}, or {@code name (...)}. */
    private static int column(List<String> header, String name) {
        return IntStream.range(0, header.size())
                .filter(i -> header.get(i).equals(name) || header.get(i).startsWith(name + " (")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("line 1: no column \"" + name + "\" (not a JMH CSV result?)"));
    }

    /** A CSV record: its fields and the line it starts on (from 1). */
    private record CsvLine(int number, List<String> fields) {
    }

    /** RFC 4180, as JMH writes it: a quoted field may hold commas, line breaks and doubled quotes. */
    private static List<CsvLine> csvLines(String text) {
        List<CsvLine> lines = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int start = 1;
        boolean quoted = false; // inside a quoted field
        boolean closed = false; // just after a quoted field's closing quote
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c != '"') {
                    field.append(c);
                    line += c == '\n' ? 1 : 0;
                } else if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    quoted = false;
                    closed = true;
                }
            } else if (c == ',' || c == '\n' || c == '\r') {
                fields.add(field.toString());
                field.setLength(0);
                closed = false;
                if (c != ',') {
                    i += c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n' ? 1 : 0;
                    addRecord(lines, fields, start);
                    start = ++line;
                }
            } else if (closed || (c == '"' && !field.isEmpty())) {
                throw new IllegalArgumentException("line " + line + ": a quote inside a field, or text after its closing quote");
            } else if (c == '"') {
                quoted = true;
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("line " + start + ": a quoted field is not closed");
        }
        fields.add(field.toString());
        addRecord(lines, fields, start);
        return lines;
    }

    /** Adds the fields as a record, unless they are a blank line, and empties them. */
    private static void addRecord(List<CsvLine> lines, List<String> fields, int start) {
        if (fields.size() > 1 || !fields.getFirst().isEmpty()) {
            lines.add(new CsvLine(start, List.copyOf(fields)));
        }
        fields.clear();
    }

    /** A score. JMH writes it with %f in its default locale: a decimal comma is a point (%f never groups thousands). */
    private static double csvNumber(String field, CsvLine line) {
        try {
            return Double.parseDouble(field.indexOf('.') < 0 ? field.replace(',', '.') : field);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + line.number() + ": \"" + field + "\" is not a number");
        }
    }

    /** A thread count: a positive whole number. */
    private static int csvThreads(String field, CsvLine line) {
        try {
            int threads = Integer.parseInt(field.strip());
            if (threads > 0) {
                return threads;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("line " + line.number() + ": \"" + field + "\" is not a thread count");
    }
}
