using System.Globalization;

namespace SalesMind.Bench;

/// <summary>Command-line flags.</summary>
public sealed record Options
{
    public const string Usage = """
        usage: bench/run [--quick] [--root DIR] [--concurrency N] [--events N] [--e2e-rate R]
                         [--e2e-seconds S] [--pipeline-domain D] [--no-results]
          --quick             a short form (~2 min instead of ~5)
          --concurrency N     closed-loop clients for the saturation run (default max(8, 4 × cores))
          --events N          events for the pipeline figure (default 2000; quick 500)
          --e2e-rate R        registrations/s for the end-to-end figure (default 10)
          --e2e-seconds S     its length (default 45; quick 15)
          --pipeline-domain D recipients' domain for the pipeline and smtp-source (default discard.test)
          --no-results        do not append to bench/RESULTS.md
        """;

    public bool Quick { get; init; }

    public bool Help { get; init; }

    public string? Root { get; init; }

    public int? Concurrency { get; init; }

    public int? Events { get; init; }

    public double E2eRate { get; init; } = 10;

    public int? E2eSeconds { get; init; }

    public string PipelineDomain { get; init; } = "discard.test";

    public bool NoResults { get; init; }

    public static Options? Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            try
            {
                o = args[i] switch
                {
                    "--quick" => o with { Quick = true },
                    "-h" or "--help" => o with { Help = true },
                    "--root" => o with { Root = Next() },
                    "--concurrency" => o with { Concurrency = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--events" => o with { Events = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--e2e-rate" => o with { E2eRate = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--e2e-seconds" => o with { E2eSeconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--pipeline-domain" => o with { PipelineDomain = Next() },
                    "--no-results" => o with { NoResults = true },
                    _ => throw new FormatException($"unknown flag {args[i]}"),
                };
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return null;
            }
        }

        return o;
    }
}
