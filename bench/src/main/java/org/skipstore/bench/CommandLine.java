package org.skipstore.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command lines of the bench tools: {@code --name value} or {@code --name=value} each, a
 * later one replacing an earlier one of the same name; {@code -h} or {@code --help} asks for the
 * help.
 */
public final class CommandLine {

    private CommandLine() {
    }

    /**
     * The options of {@code args} by name, in the order given, or null when they ask for the help.
     * A flag named in {@code flags} ({@code --progress}) takes no value: it stands for the name and
     * value it maps to. {@code aliases} map other spellings of a name to the name.
     *
     * @throws IllegalArgumentException for an argument that is no option, an option without its
     *                                  value, or a name that is not in {@code names}
     */
    public static Map<String, String> options(String[] args, List<String> names,
                                              Map<String, Map.Entry<String, String>> flags, Map<String, String> aliases) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                return null;
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (try --help)");
            }
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else if (flags.containsKey(a)) {
                name = flags.get(a).getKey();
                value = flags.get(a).getValue();
            } else if (i + 1 < args.length) {
                name = a.substring(2);
                value = args[++i];
            } else {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            m.put(aliases.getOrDefault(name, name), value);
        }
        for (String k : m.keySet()) {
            if (!names.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k + " (try --help)");
            }
        }
        return m;
    }
}
