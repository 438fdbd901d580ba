package org.skipstore.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for JMH's result files ({@code -rf json}), so that the bench module needs no
 * JSON library: objects become {@code LinkedHashMap}s (the file's order), arrays {@code ArrayList}s,
 * numbers {@code Double}s. Errors say {@code "offset N: "}, N the character (from 0) that is wrong.
 */
final class Json {

    private static final int MAX_DEPTH = 512; // JMH's files nest five deep; bad input must not overflow the stack

    private final String text;
    private int pos, depth;

    private Json(String text) {
        this.text = text;
    }

    /** The value that is the whole of {@code text}, white space around it allowed. */
    static Object parse(String text) {
        Json json = new Json(text);
        Object value = json.value();
        if (json.skipSpace() < text.length()) {
            throw json.error("text after the end of the JSON value");
        }
        return value;
    }

    private Object value() {
        return switch (skipSpace() < text.length() ? text.charAt(pos) : 0) {
            case 0 -> throw error("unexpected end of the text");
            case '{', '[' -> container();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    /** An object (a map) or an array (a list), from its '{' or '['. */
    private Object container() {
        boolean object = text.charAt(pos++) == '{';
        char close = object ? '}' : ']';
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        List<Object> list = new ArrayList<>();
        if (!accept(close)) {
            do {
                if (object) {
                    String key = string();
                    expect(':', "expected ':'");
                    map.put(key, value());
                } else {
                    list.add(value());
                }
            } while (accept(','));
            expect(close, "expected ',' or '" + close + "'");
        }
        depth--;
        return object ? map : list;
    }

    /**
     * A string, quotes included. Raw line breaks inside are kept, not refused: older JMH versions'
     * pretty printer broke the line after every comma, inside strings too (a parameter "a,b").
     */
    private String string() {
        expect('"', "expected a string");
        StringBuilder sb = new StringBuilder();
        for (; pos < text.length(); pos++) {
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            sb.append(c == '\\' ? escape() : c);
        }
        throw error("unterminated string");
    }

    /** The character that the escape at {@code pos} stands for; {@code pos} ends on its last character. */
    private char escape() {
        int kind = ++pos < text.length() ? "\"\\/bfnrt".indexOf(text.charAt(pos)) : -1;
        if (kind >= 0) {
            return "\"\\/\b\f\n\r\t".charAt(kind);
        }
        if (pos + 4 < text.length() && text.charAt(pos) == 'u'
                && text.substring(pos + 1, pos + 5).matches("\\p{XDigit}{4}")) {
            pos += 4;
            return (char) Integer.parseInt(text, pos - 3, pos + 1, 16);
        }
        throw error("invalid escape in a string");
    }

    /** A number: the characters a JSON number is made of, as Java reads them (so "1." passes too). */
    private Double number() {
        int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        try {
            return Double.parseDouble(text.substring(start, pos));
        } catch (NumberFormatException e) {
            String what = pos == start ? "unexpected character '" + text.charAt(pos) + "'" : "malformed number";
            pos = start;
            throw error(what);
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected character '" + text.charAt(pos) + "'");
        }
        pos += word.length();
        return value;
    }

    /** Steps over white space and then {@code c}, if {@code c} is there. */
    private boolean accept(char c) {
        boolean there = skipSpace() < text.length() && text.charAt(pos) == c;
        pos += there ? 1 : 0;
        return there;
    }

    private void expect(char c, String message) {
        if (!accept(c)) {
            throw error(pos < text.length() ? message : "unexpected end of the text");
        }
    }

    private int skipSpace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        return pos;
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException("offset " + pos + ": " + message);
    }
}
