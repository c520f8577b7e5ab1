import java.io.PrintStream;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang.StringEscapeUtils;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import org.apache.velocity.exception.ParseErrorException;
import org.apache.velocity.exception.VelocityException;

/**
 * Renders mapping templates with Apache Velocity 1.7 (API Gateway's engine) for the comparison test.
 * Usage: java -cp velocity-1.7.jar:commons-collections.jar:commons-lang-2.4.jar Velocity17Renderer.java cases.json
 * cases.json: [{ name, template, request: { body, headers, querystring, path }, context: {...} }]
 * stdout:     [{ name, output } | { name, error: { message, line } }]
 * $input/$util mirror shared/src/api/mapping-template-variables.ts: keep the two in step.
 */
public class Velocity17Renderer {
  public static void main(String[] args) throws Exception {
    VelocityEngine engine = new VelocityEngine();
    engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
    engine.init();
    List<Object> results = new ArrayList<>();
    for (Object item : (List<?>) Json.parse(new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8))) {
      Map<?, ?> testCase = (Map<?, ?>) item;
      String name = (String) testCase.get("name");
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("name", name);
      VelocityContext context = new VelocityContext();
      context.put("input", new Input((Map<?, ?>) testCase.get("request")));
      context.put("util", new Util());
      context.put("context", testCase.get("context"));
      StringWriter output = new StringWriter();
      try {
        engine.evaluate(context, output, name, (String) testCase.get("template"));
        result.put("output", output.toString());
      } catch (VelocityException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", e.getMessage());
        error.put("line", e instanceof ParseErrorException ? Long.valueOf(((ParseErrorException) e).getLineNumber()) : null);
        result.put("error", error);
      }
      results.add(result);
    }
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    out.print(Json.write(results));
    out.flush();
  }

  /** $input: body, json(path), path(path), params(), params(name). */
  public static final class Input {
    private final Map<?, ?> request;
    private Object document;
    private boolean parsed;

    Input(Map<?, ?> request) {
      this.request = request;
    }

    public String getBody() {
      return (String) request.get("body");
    }

    public String json(String path) {
      Object value = JsonPath.evaluate(document(), path);
      return value == JsonPath.ABSENT ? "" : Json.write(value);
    }

    public Object path(String path) {
      Object value = JsonPath.evaluate(document(), path);
      return value == JsonPath.ABSENT ? null : value;
    }

    public Object params() {
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("path", orEmpty(request.get("path")));
      all.put("querystring", orEmpty(request.get("querystring")));
      all.put("header", orEmpty(request.get("headers")));
      return all;
    }

    public String params(String name) {
      Object fromPath = orEmpty(request.get("path")).get(name);
      if (fromPath != null) return (String) fromPath;
      Object fromQuery = orEmpty(request.get("querystring")).get(name);
      if (fromQuery != null) return (String) fromQuery;
      for (Map.Entry<?, ?> header : orEmpty(request.get("headers")).entrySet()) {
        if (((String) header.getKey()).equalsIgnoreCase(name)) return (String) header.getValue();
      }
      return "";
    }

    private Object document() {
      if (!parsed) {
        document = Json.parse(getBody());
        parsed = true;
      }
      return document;
    }

    private static Map<?, ?> orEmpty(Object map) {
      return map == null ? new LinkedHashMap<>() : (Map<?, ?>) map;
    }
  }

  /** $util: base64Encode, escapeJavaScript (Commons Lang, Velocity 1.7's own dependency), parseJson. */
  public static final class Util {
    public String base64Encode(String text) {
      return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    public String escapeJavaScript(String text) {
      return StringEscapeUtils.escapeJavaScript(text);
    }

    public Object parseJson(String text) {
      return Json.parse(text);
    }
  }

  /** Definite JSONPaths only: $, .name, ['name'], ["name"], [index]. */
  static final class JsonPath {
    static final Object ABSENT = new Object();
    private static final java.util.regex.Pattern SEGMENT =
        java.util.regex.Pattern.compile("^(?:\\.([A-Za-z_$][\\w$-]*)|\\[(\\d+)\\]|\\['([^'\\\\]*)'\\]|\\[\"([^\"\\\\]*)\"\\])");

    static Object evaluate(Object document, String path) {
      String rest = path.trim();
      if (!rest.startsWith("$")) throw new IllegalArgumentException("unsupported JSONPath " + path);
      rest = rest.substring(1);
      Object value = document;
      while (!rest.isEmpty()) {
        java.util.regex.Matcher m = SEGMENT.matcher(rest);
        if (!m.find()) throw new IllegalArgumentException("unsupported JSONPath " + path);
        rest = rest.substring(m.end());
        if (m.group(2) != null) {
          if (!(value instanceof List)) return ABSENT;
          int index = Integer.parseInt(m.group(2));
          List<?> list = (List<?>) value;
          if (index >= list.size()) return ABSENT;
          value = list.get(index);
        } else {
          String key = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(4);
          if (!(value instanceof Map) || !((Map<?, ?>) value).containsKey(key)) return ABSENT;
          value = ((Map<?, ?>) value).get(key);
        }
      }
      return value;
    }
  }

  /** JSON as JavaScript's JSON.parse/JSON.stringify see it: objects keep key order, integers are Long. */
  static final class Json {
    private final String text;
    private int at;

    private Json(String text) {
      this.text = text;
    }

    static Object parse(String text) {
      Json parser = new Json(text);
      Object value = parser.value();
      parser.space();
      if (parser.at != text.length()) throw parser.error("trailing text");
      return value;
    }

    private Object value() {
      space();
      if (at >= text.length()) throw error("unexpected end");
      char c = text.charAt(at);
      if (c == '{') {
        Map<String, Object> map = new LinkedHashMap<>();
        at++;
        space();
        if (peek('}')) return map;
        do {
          space();
          String key = string();
          space();
          expect(':');
          map.put(key, value());
          space();
        } while (peek(','));
        expect('}');
        return map;
      }
      if (c == '[') {
        List<Object> list = new ArrayList<>();
        at++;
        space();
        if (peek(']')) return list;
        do {
          list.add(value());
          space();
        } while (peek(','));
        expect(']');
        return list;
      }
      if (c == '"') return string();
      if (text.startsWith("true", at)) { at += 4; return Boolean.TRUE; }
      if (text.startsWith("false", at)) { at += 5; return Boolean.FALSE; }
      if (text.startsWith("null", at)) { at += 4; return null; }
      int start = at;
      while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
      String number = text.substring(start, at);
      if (number.isEmpty()) throw error("unexpected character");
      if (number.matches("-?\\d+")) {
        BigInteger integer = new BigInteger(number);
        return integer.bitLength() < 64 ? (Object) integer.longValue() : (Object) integer.doubleValue();
      }
      return Double.valueOf(number);
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        if (at >= text.length()) throw error("unterminated string");
        char c = text.charAt(at++);
        if (c == '"') return out.toString();
        if (c != '\\') { out.append(c); continue; }
        char e = text.charAt(at++);
        switch (e) {
          case 'b': out.append('\b'); break;
          case 'f': out.append('\f'); break;
          case 'n': out.append('\n'); break;
          case 'r': out.append('\r'); break;
          case 't': out.append('\t'); break;
          case 'u': out.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; break;
          default: out.append(e);
        }
      }
    }

    private void space() {
      while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) at++;
    }

    private boolean peek(char c) {
      if (at < text.length() && text.charAt(at) == c) { at++; return true; }
      return false;
    }

    private void expect(char c) {
      if (!peek(c)) throw error("expected '" + c + "'");
    }

    private IllegalArgumentException error(String problem) {
      return new IllegalArgumentException("JSON: " + problem + " at " + at);
    }

    static String write(Object value) {
      StringBuilder out = new StringBuilder();
      write(value, out);
      return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
      if (value == null) out.append("null");
      else if (value instanceof String) quote((String) value, out);
      else if (value instanceof Double) {
        double d = (Double) value;
        if (d == Math.rint(d) && Math.abs(d) < 1e21) out.append(new BigDecimal(d).toPlainString());
        else out.append(value);
      } else if (value instanceof Map) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
          if (!first) out.append(',');
          first = false;
          quote((String) entry.getKey(), out);
          out.append(':');
          write(entry.getValue(), out);
        }
        out.append('}');
      } else if (value instanceof List) {
        out.append('[');
        boolean first = true;
        for (Object item : (List<?>) value) {
          if (!first) out.append(',');
          first = false;
          write(item, out);
        }
        out.append(']');
      } else out.append(value);
    }

    private static void quote(String s, StringBuilder out) {
      out.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"': out.append("\\\""); break;
          case '\\': out.append("\\\\"); break;
          case '\b': out.append("\\b"); break;
          case '\f': out.append("\\f"); break;
          case '\n': out.append("\\n"); break;
          case '\r': out.append("\\r"); break;
          case '\t': out.append("\\t"); break;
          default:
            boolean loneSurrogate = Character.isSurrogate(c)
                && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (c < 0x20 || loneSurrogate) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
      }
      out.append('"');
    }
  }
}
