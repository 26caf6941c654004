using System.Globalization;

namespace SalesMind.Bench;

public static class Stats
{
    /// <summary>Nearest-rank percentile (p in 0..100) of <paramref name="values"/>; NaN when empty.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyCollection<double> values) => Percentile(values, 50);

    public static string Ms(double ms) =>
        double.IsNaN(ms) ? "n/a" : ms.ToString(ms < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";

    public static string F(double value, string format = "0.0") =>
        double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);

    public static string Pct(double ratio) =>
        double.IsNaN(ratio) ? "n/a" : (ratio * 100).ToString("0", CultureInfo.InvariantCulture) + " %";
}
