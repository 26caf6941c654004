using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SalesMind.TestSupport;
using Xunit.Abstractions;

namespace SalesMind.Identity.Tests;

/// <summary>The seeded generator of hostile requests the test sends.</summary>
public sealed partial class HostileInputTests
{
    /// <summary>
    /// Deterministic hostile requests: everything random comes from one seeded <see cref="Random"/>,
    /// consumed in order (Parallel.ForEachAsync enumerates its source under a lock).
    /// </summary>
    private sealed class Generator(int seed, IReadOnlyList<string> realTokens, string origin)
    {
        private const string Register = "/api/auth/register/";
        private const string Industries = "/api/auth/industries/";
        private const string Verify = "/api/auth/verify-email/";
        private const int RequestBodyCap = 16 * 1024;

        private static readonly string[] Fields = ["username", "email", "password", "industry", "sales_experience", "purpose", "locale"];
        private static readonly string[] IndustryValues = ["software", "manufacturing", "finance", "real_estate", "retail", "healthcare", "consulting", "staffing", "advertising", "education", "other"];
        private static readonly string[] ExperienceValues = ["none", "under_1_year", "1_to_3_years", "3_to_5_years", "5_to_10_years", "over_10_years"];

        private static readonly string[] Injections =
        [
            "' OR '1'='1", "' OR 1=1 --", "admin'--", "'; DROP TABLE users; --", "\"; DROP TABLE users; --",
            "1; SELECT pg_sleep(30); --", "' || pg_sleep(30) || '", "'); DELETE FROM user_profiles; --",
            "' UNION SELECT password_hash, email FROM users --", "$$; TRUNCATE outbox_message; $$",
            "\\'; COMMIT; DROP TABLE email_verification_tokens; --", "%' AND 1=CAST((SELECT version()) AS int) --",
            "E'\\x27'", "\\x00\\x27", "1e309", "{\"$gt\": \"\"}", "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "@(1+1)", "<%= 7*7 %>",
            "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'><svg/onload=alert(document.domain)>",
            "javascript:alert(1)", "</title><script>alert(1)</script>", "<iframe src=\"data:text/html,<script>alert(1)</script>\">",
            "<!--", "]]>", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>",
            "../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "\r\nSet-Cookie: session=evil", "a\r\n\r\n<html>",
            "=cmd|' /C calc'!A0", "+SUM(1+1)*cmd|' /C calc'!A0", "() { :; }; echo pwned", "`id`", "$(id)", "| cat /etc/passwd",
            "%s%s%s%n", "{0}{1}", "\\u0000", "null", "undefined", "__proto__", "NaN", "-1", "0x7fffffff",
        ];

        private static readonly string[] OddUnicode =
        [
            "\uD800", "\uDC00", "a\uD800b", "\uDBFF\uDBFF", "\uDFFF\uD800", "\0", "nul\0inside", "\u0001\u0002\u0003", "\u001B[31mred\u001B[0m",
            "\u0007\u0008\u000B\u000C", "\u007F", "\u0085\u009F", "\u202Eevil\u202C", "\u202Dtxt.exe", "\u2066\u2067\u2068\u2069",
            "a\u200Db\u200Cc\u200Bd", "\uFEFFbom", "\u2028\u2029", "\u00A0\u3000\u2003", "\uFFFD", "\uFFFE\uFFFF", "\uDBFF\uDFFF",
            "\U0001F600\U0001F4A9", "\U0001F469\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466", "\U0001F3F3\uFE0F\u200D\U0001F308",
            "e\u0301\u0308\u0323\u0330", "Z\u0334\u0321\u032A\u032B\u0316\u0325\u0314\u0369\u0342\u036E\u030Da\u032Cl\u0318g\u0333o",
            "\uFF28\uFF41\uFF4E\uFF41\uFF4B\uFF4F", "\uFF20\uFF0E\uFF0B", "\uFB00\uFB01\uFB02", "\uFDFA", "\u0130\u0131\u01C5\u00DF",
            "\u3042\u308A\u304C\u3068\u3046", "\u0645\u0631\u062D\u0628\u0627", "\u05E9\u05DC\u05D5\u05DD", "\u1100\u1161\u11A8",
            "\uE000\uF8FF", "\U000E0041\U000E007F", "\u00AD\u034F\u115F", "\u0000\u0000\u0000\u0000",
            "a" + string.Concat(Enumerable.Range(0, 600).Select(i => (char)(0x0300 + (i % 0x70)))),
            string.Join("\u200D", Enumerable.Repeat("\U0001F469\U0001F3FD", 100)),
        ];

        private static readonly string[] WrongTypes =
        [
            "0", "-1", "1.5", "-0", "1e400", "123456789012345678901234567890", "true", "false", "[]", "{}", "[\"a\"]",
            "[null]", "{\"$ne\": null}", "{\"username\": \"x\"}", "[[[]]]", "[[[[[]]]]]", "{\"a\":{\"b\":{\"c\":{}}}}", "[1,2,3]",
        ];

        private static readonly string[] ContentTypes =
        [
            "text/plain", "text/plain; charset=utf-8", "multipart/form-data; boundary=xyz", "application/json; charset=latin1",
            "application/json; charset=utf-16", "application/json;charset=\"", "APPLICATION/JSON", " application/json ", "application/json;;;",
            "application/jsonx", "application/json+x", "application/problem+json", "application/*", "*/*", "", ";", "/", "json",
            "application/x-www-form-urlencoded; charset=ebcdic", "application/x-www-form-urlencoded;", "text/html", "application/xml",
            "application/octet-stream", "image/png", "application/json, text/plain",
        ];

        private static readonly byte[][] BadUtf8 =
        [
            [0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xC0, 0x80], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
            [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC3], [0xE3, 0x81], [0xF0, 0x9F, 0x98], [0x80], [0xBF, 0xBF],
        ];

        private static readonly string[] OddPaths =
        [
            "/", "/api", "/api/", "/api/auth", "/api/auth/", "/api/auth/login/", "/api/auth/register/x", "/api/auth/registers/",
            "/api/auth/industries/1", "/api/auth/verify-email/x/", "/api/auth/verify-email/../register/", "/api/auth/%2e%2e/%2e%2e/etc/passwd",
            "/api/auth/register/%00", "/api/auth/register%2f", "/api/auth/register;jsessionid=1/", "/.env", "/.git/config",
            "/admin", "/swagger/index.html", "/health", "/health/", "/health/live/x", "/health/ready/..;/", "/metrics", "/notifier/",
            "/email_verified.html", "/%00", "/%ff%fe", "/%C0%AF", "/%E3%81", "/api/auth/%u0041", "/index.php?x=<script>",
            "/api/auth/%F0%9F%98%80/", "/api/auth/\u3042/", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", "/api/auth/register/.%2e/",
            "/WEB-INF/web.xml", "/cgi-bin/test.cgi", "/api/auth/REGISTER", "/API/AUTH/INDUSTRIES/",
        ];

        private static readonly (string Name, string Value)[] OddHeaders =
        [
            ("Accept", "application/json"), ("Accept", "*/*"), ("Accept", "application/problem+json"), ("Accept", "application/json;q=0.1, */*;q=0"),
            ("Accept", "text/html"), ("Accept", "image/png"),
            ("Accept-Language", "'; DROP TABLE users; --"), ("Accept-Language", "zz-ZZ;q=abc, *;q=-1"), ("Accept-Language", "\u65E5\u672C\u8A9E"),
            ("Accept-Charset", "ebcdic"), ("Accept-Encoding", "gzip;q=x, br, *"), ("User-Agent", "<script>alert(1)</script>"),
            ("User-Agent", "\u202Eevil"), ("X-Forwarded-For", "' OR 1=1 --, ::1, 999.999.999.999"), ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Proto", "gopher"), ("X-HTTP-Method-Override", "DELETE"), ("Cookie", "a=%zz; ;;=; \u0001=x"),
            ("Origin", "null"), ("Referer", "javascript:alert(1)"), ("traceparent", "00-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-zzzzzzzzzzzzzzzz-zz"),
            ("traceparent", "ff-" + new string('0', 32) + "-" + new string('0', 16) + "-01"), ("tracestate", new string(',', 600)),
            ("baggage", "%%%=;,=,;%zz"), ("Content-Encoding", "gzip"), ("Content-Language", "\u0000"), ("If-None-Match", "\"\u00FF\""),
            ("Range", "bytes=0-0,-1,999999999999999999-"), ("X-Request-Id", new string('A', 8000)), ("Authorization", "Bearer ' OR 1=1 --"),
        ];

        private readonly Random _rng = new(seed);
        private int _serial;

        /// <summary>Every username and address this run signs up with starts with this.</summary>
        public string Prefix { get; } = $"hx{seed:x}n";

        public IEnumerable<Hostile> Requests(int perTarget)
        {
            var targets = new[] { "register", "industries", "verify-email", "live", "ready", "unknown" }
                .SelectMany(t => Enumerable.Repeat(t, perTarget)).ToArray();
            _rng.Shuffle(targets);
            foreach (var target in targets)
            {
                var request = target switch
                {
                    "register" => NextRegister(),
                    "industries" => NextPlain("industries", Industries, HttpMethod.Get),
                    "verify-email" => NextVerify(),
                    "live" => NextPlain("live", "/health/live", HttpMethod.Get),
                    "ready" => NextPlain("ready", "/health/ready", HttpMethod.Get),
                    _ => NextUnknown(),
                };
                if (Chance(0.2))
                {
                    request = request with { Headers = Enumerable.Range(0, _rng.Next(1, 4)).Select(_ => Pick(OddHeaders)).ToList() };
                }

                yield return request;
            }
        }

        private Hostile NextRegister()
        {
            var roll = _rng.NextDouble() * 100;
            return roll switch
            {
                // Rare: each costs ~100 ms of password hashing. Everything else fails validation first.
                < 0.4 => ValidButHostile(),
                < 5 => Post("random-bytes", RandomBytes(_rng.Next(0, 3000)), Pick(["application/json", "application/x-www-form-urlencoded", Pick(ContentTypes)])),
                < 12 => Json("random-json", RandomJsonValue(0)),
                < 18 => Json("garbage-json", TokenSoup()),
                < 24 => Truncated(),
                < 32 => WrongShape(),
                < 40 => WrongType(),
                < 47 => OddContentType(),
                < 50 => HugeBody(Register, "register"),
                < 55 => HugeField(),
                < 63 => InvalidUtf8(),
                < 72 => HostileFieldValue("odd-unicode", Pick(OddUnicode) + (Chance(0.3) ? Pick(OddUnicode) : "")),
                < 81 => HostileFieldValue("injection", Pick(Injections)),
                < 86 => DuplicateKeys(),
                < 93 => BrokenForm(),
                < 96 => UnknownFields(),
                < 98 => Post("query", Encoding.UTF8.GetBytes(RenderJson(BrokenFormFields())), "application/json", HostileQuery(Register)),
                _ => WrongMethod("register", Register),
            };
        }

        /// <summary>A sign-up that passes every rule, carrying hostile text wherever the rules allow it.</summary>
        private Hostile ValidButHostile()
        {
            var n = ++_serial;
            var id = $"{Prefix}{n}";

            // A few shared names and addresses, so parallel sign-ups race for the same rows.
            var username = Chance(0.2) ? $"{Prefix}shared{_rng.Next(3)}" : id + Pick(["", "\uFF48\uFF41", "\u3042\u308A", "\u0645\u0631", "\u00DF\u0130", "\uFB01", ".+-_"]);
            var email = Chance(0.2)
                ? $"{Prefix}shared{_rng.Next(3)}@mail.test"
                : $"{id}{Pick(["", "'or'1'='1", "+{x}|$&*", "/=?^`~#!%"])}@{Pick(["mail.test", "MAIL.TEST"])}";
            var fields = new List<(string Name, string Value)>
            {
                ("username", Chance(0.2) ? $"  {username}\t" : username),
                ("email", email),
                ("password", Pick(["Quiet-Harbor-7319", "' OR '1'='1' --x9", "<script>alert(7)</script>", "\U0001F511\U0001F511\U0001F511\U0001F511Secret9", "p\u0301a\u0308s\u0323s-Wort-99", new string('Z', 60) + "x9" + new string('y', 66)])),
                ("industry", Pick(IndustryValues)),
                ("purpose", Pick([Pick(Injections), "a\r\n\tb <b>bold</b>", string.Concat(Enumerable.Repeat("\U0001F600", 250)), "e" + new string('\u0301', 499), Pick(Injections) + "\u202E\u200D\U0001F469\u200D\U0001F4BB", "  "])),
            };
            if (Chance(0.7))
            {
                fields.Add(("sales_experience", Chance(0.2) ? " " : Pick(ExperienceValues)));
            }

            if (Chance(0.7))
            {
                fields.Add(("locale", Pick(["ja", "en", " en ", "ja\n"])));
            }

            var shuffled = fields.ToArray();
            _rng.Shuffle(shuffled);
            return Chance(0.7)
                ? Post("valid-hostile: json", Encoding.UTF8.GetBytes(RenderJson(shuffled)), Pick(["application/json", "application/json; charset=utf-8", "Application/JSON"]))
                : Post("valid-hostile: form", Encoding.UTF8.GetBytes(RenderForm(shuffled)), Pick(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8"]));
        }

        /// <summary>An otherwise valid form with one cheap, certain fault, so no password gets hashed.</summary>
        private List<(string Name, string Value)> BrokenFormFields(string? keep = null)
        {
            var id = $"{Prefix}b{++_serial}";
            var fields = new List<(string Name, string Value)>
            {
                ("username", id), ("email", $"{id}@mail.test"), ("password", "Quiet-Harbor-7319"), ("industry", Pick(IndustryValues)),
                ("sales_experience", Pick(ExperienceValues)), ("purpose", "Find customers"), ("locale", Pick(["ja", "en"])),
            };
            switch (keep is "industry" ? 0 : _rng.Next(3))
            {
                case 0:
                    fields.Insert(_rng.Next(fields.Count + 1), (Pick(["is_admin", "role", "x", "Username", "is_active"]), "true"));
                    break;
                case 1:
                    fields.RemoveAll(f => f.Name == "industry");
                    break;
                default:
                    fields[3] = ("industry", "piracy");
                    break;
            }

            return fields;
        }

        private Hostile HostileFieldValue(string kind, string value)
        {
            var field = Pick(Fields);
            var fields = BrokenFormFields(field);
            var index = fields.FindIndex(f => f.Name == field);
            value = _rng.Next(4) switch
            {
                0 => value,
                1 => $"{Prefix}{value}",
                2 => $"{value}@mail.test",
                _ => value + value + value,
            };
            if (index < 0)
            {
                fields.Add((field, value));
            }
            else
            {
                fields[index] = (field, value);
            }

            return Chance(0.7)
                ? Json($"{kind}: {field} (json)", RenderJson(fields))
                : Post($"{kind}: {field} (form)", Encoding.UTF8.GetBytes(RenderForm(fields)), "application/x-www-form-urlencoded");
        }

        private Hostile Truncated()
        {
            var text = Chance(0.5) ? RenderJson(BrokenFormFields()) : RandomJsonValue(0);
            return Json("truncated-json", text[.._rng.Next(0, Math.Max(1, text.Length))]);
        }

        private Hostile WrongShape()
        {
            switch (_rng.Next(9))
            {
                case 0:
                    return Json("wrong-shape: scalar", Pick(["123", "-0", "1e999", "\"username\"", "true", "false", "null", "\"\"", "[]", "[{}]"]));
                case 1:
                    return Json("wrong-shape: array of forms", "[" + RenderJson(BrokenFormFields()) + "," + RenderJson(BrokenFormFields()) + "]");
                case 2:
                    var count = Pick([100, 2000, 5000, 9000]);
                    return Json($"wrong-shape: huge array ({count})", "[" + string.Join(",", Enumerable.Repeat(Pick(["1", "\"a\"", "{}", "null"]), count)) + "]");
                case 3:
                    var items = Pick([100, 3000, 8000]);
                    return Json($"wrong-shape: huge array field ({items})", $"{{\"{Pick(Fields)}\":[" + string.Join(",", Enumerable.Repeat("1", items)) + "]}");
                case 4:
                    var depth = Pick([3, 4, 5, 64, 1000, 8000, 20000]);
                    return Json($"wrong-shape: deep array ({depth})", new string('[', depth) + new string(']', depth));
                case 5:
                    var levels = Pick([3, 4, 5, 100, 2000]);
                    return Json($"wrong-shape: deep object ({levels})", string.Concat(Enumerable.Repeat($"{{\"{Pick(Fields)}\":", levels)) + "\"x\"" + new string('}', levels));
                case 6:
                    return Json("wrong-shape: nested form", $"{{\"form\":{RenderJson(BrokenFormFields())}}}");
                case 7:
                    return Json("wrong-shape: empty", Pick(["", " ", "\r\n\t", "{}", "{ }", "\uFEFF{}", "{}{}", "{} x", "{}\u0000"]));
                default:
                    return Json("wrong-shape: unclosed", Pick(["{", "[", "{\"username\"", "{\"username\":", "{\"username\":\"", "\"", "{\"a\":1,}", "{,}", "{'username':'x'}", "{username:\"x\"}"]));
            }
        }

        private Hostile WrongType()
        {
            var fields = BrokenFormFields().Select(f => (Key: Str(f.Name), Value: Str(f.Value))).ToList();
            var times = _rng.Next(1, 4);
            var changed = new List<string>();
            for (var i = 0; i < times; i++)
            {
                var index = _rng.Next(fields.Count);
                fields[index] = (fields[index].Key, Pick(WrongTypes));
                changed.Add(fields[index].Key);
            }

            return Json($"wrong-type: {string.Join(" ", changed)}", "{" + string.Join(",", fields.Select(f => $"{f.Key}:{f.Value}")) + "}");
        }

        private Hostile OddContentType()
        {
            var fields = BrokenFormFields();
            return _rng.Next(5) switch
            {
                0 => Post("content-type: none", Encoding.UTF8.GetBytes(RenderJson(fields)), null),
                1 => Post("content-type: multipart", Encoding.UTF8.GetBytes(
                    string.Concat(fields.Select(f => $"--xyz\r\nContent-Disposition: form-data; name=\"{f.Name}\"\r\n\r\n{f.Value}\r\n")) + "--xyz--\r\n"),
                    Pick(["multipart/form-data; boundary=xyz", "multipart/mixed; boundary=xyz", "multipart/form-data"])),
                2 => Post("content-type: json as form", Encoding.UTF8.GetBytes(RenderJson(fields)), "application/x-www-form-urlencoded"),
                3 => Post("content-type: form as json", Encoding.UTF8.GetBytes(RenderForm(fields)), "application/json"),
                _ => Post("content-type: odd", Encoding.UTF8.GetBytes(Chance(0.5) ? RenderJson(fields) : RenderForm(fields)), Pick(ContentTypes)),
            };
        }

        private Hostile HugeBody(string path, string target)
        {
            var size = Pick([RequestBodyCap + 1, RequestBodyCap + 1, 64 * 1024, 1024 * 1024]);
            byte[] body;
            string? contentType;
            switch (_rng.Next(4))
            {
                case 0:
                    body = Encoding.UTF8.GetBytes($"{{\"purpose\":\"{new string('x', size)}\"}}");
                    contentType = "application/json";
                    break;
                case 1:
                    body = Encoding.UTF8.GetBytes($"purpose={new string('y', size)}");
                    contentType = "application/x-www-form-urlencoded";
                    break;
                case 2:
                    body = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("1", size / 2)) + "]");
                    contentType = "application/json";
                    break;
                default:
                    body = RandomBytes(size);
                    contentType = Pick(["application/json", "application/x-www-form-urlencoded", "application/octet-stream"]);
                    break;
            }

            var unknownLength = Chance(0.5);
            return new Hostile(target, $"huge-body: {body.Length} B{(unknownLength ? " chunked" : "")}", HttpMethod.Post, At(path), body, contentType, unknownLength);
        }

        private Hostile HugeField()
        {
            var field = Pick(Fields);
            var length = Pick([2, 3, 149, 150, 151, 253, 254, 255, 127, 128, 129, 499, 500, 501, 1000, 5000, 15000]);
            var unit = Pick(["a", "\u3042", "\U0001F600", "e\u0301", "'", "\\", "\""]);
            var value = string.Concat(Enumerable.Repeat(unit, Math.Max(1, length / unit.Length)));
            if (field == "email")
            {
                value = value[..Math.Max(0, value.Length - 10)] + "@mail.test";
            }

            var fields = BrokenFormFields(field);
            var index = fields.FindIndex(f => f.Name == field);
            if (index >= 0)
            {
                fields[index] = (field, value);
            }

            // Also exactly at the cap and one byte over it.
            var text = RenderJson(fields);
            if (Chance(0.2) && Encoding.UTF8.GetByteCount(text) < RequestBodyCap)
            {
                var pad = RequestBodyCap - Encoding.UTF8.GetByteCount(text) + _rng.Next(2);
                text = text[..^1] + new string(' ', pad) + "}";
            }

            return Json($"huge-field: {field} {length}×{unit.Length}", text);
        }

        private Hostile InvalidUtf8()
        {
            var bad = Pick(BadUtf8);
            const string Mark = "~BAD~";
            var fields = BrokenFormFields();
            string kind;
            string text;
            string contentType = "application/json";
            switch (_rng.Next(8))
            {
                case 0:
                    var field = _rng.Next(fields.Count);
                    fields[field] = (fields[field].Name, fields[field].Value + Mark);
                    (kind, text) = ($"invalid-utf8: in {fields[field].Name}", RenderJson(fields));
                    break;
                case 1:
                    // Once answered 500 (a field name that cannot become a string); now a 400.
                    fields.Add(("key" + Mark, "x"));
                    (kind, text) = ("invalid-utf8: in a key", RenderJson(fields));
                    break;
                case 2:
                    (kind, text) = ("invalid-utf8: between tokens", RenderJson(fields).Replace(",", "," + Mark, StringComparison.Ordinal));
                    break;
                case 3:
                    (kind, text) = ("invalid-utf8: before the body", Mark + RenderJson(fields));
                    break;
                case 4:
                    return Post("invalid-utf8: utf-16 body", Encoding.Unicode.GetBytes(RenderJson(fields)), Pick(["application/json", "application/json; charset=utf-16"]));
                case 5:
                    return Post("invalid-utf8: bom", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(RenderJson(fields))], "application/json");
                case 6:
                    contentType = "application/x-www-form-urlencoded";
                    var at = _rng.Next(fields.Count);
                    fields[at] = Chance(0.5) ? (fields[at].Name, fields[at].Value + Mark) : (fields[at].Name + Mark, fields[at].Value);
                    (kind, text) = ("invalid-utf8: raw in a form", RenderForm(fields, escapeMark: Mark));
                    break;
                default:
                    var percent = string.Concat(bad.Select(b => $"%{b:X2}"));
                    return Post("invalid-utf8: percent-encoded in a form",
                        Encoding.ASCII.GetBytes(RenderForm(fields) + $"&{(Chance(0.5) ? "purpose" : "k" + percent)}={percent}"), "application/x-www-form-urlencoded");
            }

            var parts = text.Split(Mark);
            var body = new List<byte>();
            for (var i = 0; i < parts.Length; i++)
            {
                if (i > 0)
                {
                    body.AddRange(bad);
                }

                body.AddRange(Encoding.UTF8.GetBytes(parts[i]));
            }

            return Post(kind, [.. body], contentType);
        }

        private Hostile DuplicateKeys()
        {
            var fields = BrokenFormFields();
            var twice = Pick(fields);
            var times = Pick([2, 2, 3, 50, 500]);
            for (var i = 1; i < times; i++)
            {
                fields.Insert(_rng.Next(fields.Count + 1), (twice.Name, Chance(0.5) ? twice.Value : Pick(Injections)));
            }

            if (Chance(0.3))
            {
                fields.Add((twice.Name.ToUpperInvariant(), "shouty"));
            }

            return Chance(0.6)
                ? Json($"duplicate-keys: {twice.Name} ×{times} (json)", RenderJson(fields))
                : Post($"duplicate-keys: {twice.Name} ×{times} (form)", Encoding.UTF8.GetBytes(RenderForm(fields)), "application/x-www-form-urlencoded");
        }

        private Hostile BrokenForm()
        {
            string[] brokenKeys = ["%", "%Z", "%zz", "%e3%81", "%00", "%ff", "user%6eame", "username%00", "+username", "username[]", "username[0]", "username.x", "", "=", "&", "%26", "%3D", "pass%20word", "__proto__[admin]"];
            var pairs = BrokenFormFields().Select(f => Escape(f.Name) + "=" + Escape(f.Value)).ToList();
            var extra = _rng.Next(1, 12);
            for (var i = 0; i < extra; i++)
            {
                var pair = _rng.Next(5) switch
                {
                    0 => $"{Pick(Fields)}={Pick(["", "%zz", "%", "x%2", "%e3%81%82", "%ZZ%00", Escape(Pick(Injections))])}",
                    1 => $"{Pick(brokenKeys)}={Escape(Pick(OddUnicode))}",
                    2 => Pick(brokenKeys),
                    3 => $"{Pick(Fields)}",
                    _ => $"{Pick(brokenKeys)}={Pick(brokenKeys)}={Pick(brokenKeys)}",
                };
                pairs.Insert(_rng.Next(pairs.Count + 1), pair);
            }

            if (Chance(0.1))
            {
                pairs.AddRange(Enumerable.Repeat(Chance(0.5) ? "a=1" : "username=x", 2500));
            }

            var separator = Pick(["&", "&", "&&", ";", "&amp;"]);
            return Post($"form: {extra} odd pairs", Encoding.UTF8.GetBytes(string.Join(separator, pairs)),
                Pick(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", "APPLICATION/X-WWW-FORM-URLENCODED"]));
        }

        private Hostile UnknownFields()
        {
            string[] keys =
            [
                "__proto__", "constructor", "prototype", "$where", "$gt", "username ", " username", "USERNAME", "user\u0000name", "",
                "\uD800", "key\uDC00", new string('k', 65), new string('k', 63) + "\U0001F600", new string('k', 5000), "' OR 1=1 --",
                "<script>", "password\u200B", "\uFF55sername", "is_active", "email_verified_at", "id",
            ];
            var fields = BrokenFormFields();
            var key = Pick(keys);
            fields.Insert(_rng.Next(fields.Count + 1), (key, Pick(["true", "1", Pick(Injections)])));
            var kind = $"unknown-fields: {Escape(key[..Math.Min(key.Length, 20)])}";
            return Chance(0.7)
                ? Json(kind + " (json)", RenderJson(fields))
                : Post(kind + " (form)", Encoding.UTF8.GetBytes(RenderForm(fields)), "application/x-www-form-urlencoded");
        }

        private Hostile NextVerify()
        {
            var roll = _rng.Next(100);
            if (roll < 10)
            {
                return WrongMethod("verify-email", Verify + (Chance(0.5) ? "?token=" + RandomToken() : ""));
            }

            string query;
            if (roll < 30)
            {
                query = "?token=" + RandomToken();
            }
            else if (roll < 33 && realTokens.Count > 0)
            {
                var real = Pick(realTokens);
                query = Pick([
                    $"?token={real}", $"?token={real}&token={real}", $"?token={real}&token=x", $"?TOKEN={real}", $"?token={real.ToUpperInvariant()}",
                    $"?token={real}%00", $"?token={real}%20", $"?token={real}=", $"?token={real[..42]}A", $"?token=%20{real}", $"?token[]={real}",
                ]);
            }
            else
            {
                query = HostileQuery(Verify)[Verify.Length..];
            }

            if (Chance(0.05))
            {
                return new Hostile("verify-email", "verify: with a body", HttpMethod.Get, At(Verify + query), RandomBytes(_rng.Next(1, 500)), Pick(ContentTypes));
            }

            return new Hostile("verify-email", "verify: token", HttpMethod.Get, At(Verify + query));
        }

        /// <summary>A well-formed token that matches nothing: the service must look it up and say invalid.</summary>
        private string RandomToken()
        {
            var bytes = new byte[32];
            _rng.NextBytes(bytes);
            return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        /// <summary>GET endpoints that take no input: they must ignore whatever they are given.</summary>
        private Hostile NextPlain(string target, string path, HttpMethod method)
        {
            return _rng.Next(10) switch
            {
                < 4 => new Hostile(target, "plain: hostile query", method, At(HostileQuery(path))),
                < 5 => new Hostile(target, "plain: with a body", method, At(path), RandomBytes(_rng.Next(0, 2000)), Pick(ContentTypes)),
                < 6 => Chance(0.1) ? HugeBody(path, target) : new Hostile(target, "plain: json body", method, At(path), Encoding.UTF8.GetBytes(RandomJsonValue(0)), "application/json"),
                < 7 => new Hostile(target, "plain", method, At(path)),
                _ => WrongMethod(target, Chance(0.3) ? HostileQuery(path) : path),
            };
        }

        private Hostile NextUnknown()
        {
            string path;
            if (Chance(0.5))
            {
                path = Pick(OddPaths);
            }
            else
            {
                var segments = Enumerable.Range(0, _rng.Next(1, 6)).Select(_ => _rng.Next(6) switch
                {
                    0 => Escape(Pick(Injections)),
                    1 => Escape(Pick(OddUnicode)),
                    2 => string.Concat(Enumerable.Range(0, _rng.Next(1, 8)).Select(_ => $"%{_rng.Next(256):X2}")),
                    3 => Pick(["..", ".", "%2e%2e", "%2f", "api", "auth", "register", "health", "", "~", "*"]),
                    4 => new string('a', Pick([1, 100, 2000, 9000])),
                    _ => Convert.ToHexString(RandomBytes(_rng.Next(1, 10))),
                });
                path = "/" + string.Join("/", segments);
            }

            // The in-process server refuses a NUL in the path before the app runs (PathString throws in
            // the client), and Kestrel answers such a request line with its own bare 400; keep NULs to queries and bodies.
            path = path.Replace("%00", "%01", StringComparison.Ordinal);
            if (Chance(0.3))
            {
                path = HostileQuery(path);
            }

            return _rng.Next(4) switch
            {
                0 => WrongMethod("unknown", path),
                1 => new Hostile("unknown", "unknown: post", HttpMethod.Post, At(path), Encoding.UTF8.GetBytes(RenderJson(BrokenFormFields())), "application/json"),
                _ => new Hostile("unknown", "unknown: get", HttpMethod.Get, At(path)),
            };
        }

        private Hostile WrongMethod(string target, string path)
        {
            var method = new HttpMethod(Pick(["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", target == "register" ? "GET" : "POST", "PROPFIND", "FOO", "M-SEARCH", "get"]));
            byte[]? body = method.Method is "HEAD" or "TRACE" || Chance(0.5) ? null : Encoding.UTF8.GetBytes(RenderJson(BrokenFormFields()));
            return new Hostile(target, $"wrong-method: {method}", method, At(path), body, body is null ? null : Pick(["application/json", "application/x-www-form-urlencoded", "text/plain"]));
        }

        /// <summary><paramref name="path"/> with a query string of injection, garbage and repeated <c>token</c> parameters.</summary>
        private string HostileQuery(string path)
        {
            var parameters = Enumerable.Range(0, _rng.Next(1, 6)).Select(_ => _rng.Next(10) switch
            {
                0 => "token=" + Escape(Pick(Injections)),
                1 => "token=" + Escape(Pick(OddUnicode)),
                2 => "token=" + Pick(["", "%zz", "%", "%e3%81", "%00", "%ff%fe", "%C0%AF", "%ED%A0%80", "a+b", "==", "%2B%2F%3D"]),
                3 => "token=" + new string('A', Pick([42, 43, 44, 1000, 9000])),
                4 => "token=" + RandomToken() + "&token=" + RandomToken(),
                5 => Pick(["token", "token[]=x", "token[0]=x", "TOKEN=x", "tok%65n=x", "=x", "&&&", ";token=x", "token==", "%3Ftoken=x"]),
                6 => string.Join("&", Enumerable.Repeat("token=" + RandomToken(), _rng.Next(2, 50))),
                7 => Escape(Pick(Fields)) + "=" + Escape(Pick(Injections)),
                8 => string.Concat(Enumerable.Range(0, _rng.Next(1, 10)).Select(_ => $"%{_rng.Next(256):X2}")) + "=" + Escape(Pick(OddUnicode)),
                _ => string.Join("&", Enumerable.Repeat("a=1", Pick([10, 500, 2000]))),
            });
            return path + "?" + string.Join("&", parameters);
        }

        private Hostile Json(string kind, string text) => Post(kind, Encoding.UTF8.GetBytes(text), "application/json");

        private Hostile Post(string kind, byte[] body, string? contentType, string path = Register) =>
            new("register", kind, HttpMethod.Post, At(path), body, contentType, Chance(0.1));

        private Uri At(string pathAndQuery) => new(origin + pathAndQuery);

        /// <summary>Random valid JSON of any shape, sometimes shaped like the form.</summary>
        private string RandomJsonValue(int depth)
        {
            var choice = depth > 4 ? _rng.Next(6) : _rng.Next(9);
            return choice switch
            {
                0 => "null",
                1 => Pick(["true", "false"]),
                2 => Pick(["0", "-1", "3.14", "1e308", "-1e-308", "123456789012345678901234567890"]),
                3 or 4 or 5 => Str(Chance(0.5) ? Pick(OddUnicode) : Pick(Injections)),
                6 => "[" + string.Join(",", Enumerable.Range(0, _rng.Next(0, 5)).Select(_ => RandomJsonValue(depth + 1))) + "]",
                _ => "{" + string.Join(",", Enumerable.Range(0, _rng.Next(0, 8)).Select(_ =>
                    Str(Chance(0.7) ? Pick(Fields) : Pick(OddUnicode)) + ":" + RandomJsonValue(depth + 1))) + "}",
            };
        }

        /// <summary>JSON-looking token soup: almost never valid.</summary>
        private string TokenSoup()
        {
            string[] tokens = ["{", "}", "[", "]", ":", ",", "\"", "\"username\"", "\"email\"", "true", "nul", "1e", "-", "0x1F", "'", "\\", "\\u", "\\ud800", "\"\\ud800\"", "NaN", "Infinity", "/*", "*/", "//", "\u0000", " ", "\n", "\"a\"", "\u00E9", "\U0001F600"];
            return string.Concat(Enumerable.Range(0, _rng.Next(1, 60)).Select(_ => Pick(tokens)));
        }

        private byte[] RandomBytes(int length)
        {
            var bytes = new byte[length];
            _rng.NextBytes(bytes);
            return bytes;
        }

        private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

        private bool Chance(double probability) => _rng.NextDouble() < probability;

        private static string RenderJson(IEnumerable<(string Name, string Value)> fields) =>
            "{" + string.Join(",", fields.Select(f => $"{Str(f.Name)}:{Str(f.Value)}")) + "}";

        private static string RenderForm(IEnumerable<(string Name, string Value)> fields, string? escapeMark = null) =>
            string.Join("&", fields.Select(f => $"{Escape(f.Name, escapeMark)}={Escape(f.Value, escapeMark)}"));

        /// <summary>
        /// A JSON string literal. Control characters and unpaired surrogates become \u escapes
        /// (a lone "\ud800" escape is the only way JSON can carry one); the rest stays raw UTF-8.
        /// </summary>
        private static string Str(string value)
        {
            var text = new StringBuilder(value.Length + 2).Append('"');
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c is '"' or '\\')
                {
                    text.Append('\\').Append(c);
                }
                else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    text.Append(c).Append(value[++i]);
                }
                else if (c < 0x20 || char.IsSurrogate(c))
                {
                    text.Append($"\\u{(int)c:x4}");
                }
                else
                {
                    text.Append(c);
                }
            }

            return text.Append('"').ToString();
        }

        /// <summary>Percent-encodes UTF-8 (unpaired surrogates as their WTF-8 bytes), leaving <paramref name="keep"/> untouched.</summary>
        private static string Escape(string value, string? keep = null)
        {
            if (keep is not null && value.Contains(keep, StringComparison.Ordinal))
            {
                return string.Join(keep, value.Split(keep).Select(part => Escape(part)));
            }

            var text = new StringBuilder();
            Span<byte> utf8 = stackalloc byte[4];
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
                {
                    text.Append(c);
                    continue;
                }

                int length;
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    length = new Rune(c, value[++i]).EncodeToUtf8(utf8);
                }
                else if (char.IsSurrogate(c))
                {
                    (utf8[0], utf8[1], utf8[2], length) = ((byte)(0xE0 | (c >> 12)), (byte)(0x80 | ((c >> 6) & 0x3F)), (byte)(0x80 | (c & 0x3F)), 3);
                }
                else
                {
                    length = new Rune(c).EncodeToUtf8(utf8);
                }

                foreach (var b in utf8[..length])
                {
                    text.Append($"%{b:X2}");
                }
            }

            return text.ToString();
        }
    }
}
