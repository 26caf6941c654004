using System.Globalization;

namespace SalesMind.Notifier.Rendering;

/// <summary>Times as the reader of a locale expects them.</summary>
public static class TemplateTime
{
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    /// <summary>Japan time for ja, UTC for en.</summary>
    public static string Format(DateTimeOffset time, string locale) => locale == "en"
        ? time.ToUniversalTime().ToString("d MMMM yyyy, HH:mm 'UTC'", CultureInfo.GetCultureInfo("en-GB"))
        : TimeZoneInfo.ConvertTime(time, Tokyo).ToString("yyyy年M月d日 HH:mm '(日本時間)'", CultureInfo.GetCultureInfo("ja-JP"));
}
