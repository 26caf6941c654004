namespace SalesMind.Identity.Registration;

/// <summary>A choice offered at sign-up, with its label in each supported language.</summary>
public sealed record Choice(string Value, IReadOnlyDictionary<string, string> Labels);

/// <summary>The fixed lists a sign-up chooses from; served to the pages so both agree.</summary>
public static class Catalog
{
    public static readonly IReadOnlyList<Choice> Industries =
    [
        Make("software", "ソフトウェア・IT", "Software & IT"),
        Make("manufacturing", "製造", "Manufacturing"),
        Make("finance", "金融・保険", "Finance & insurance"),
        Make("real_estate", "不動産", "Real estate"),
        Make("retail", "小売・流通", "Retail & distribution"),
        Make("healthcare", "医療・福祉", "Healthcare"),
        Make("consulting", "コンサルティング", "Consulting"),
        Make("staffing", "人材", "Staffing & recruiting"),
        Make("advertising", "広告・メディア", "Advertising & media"),
        Make("education", "教育", "Education"),
        Make("other", "その他", "Other"),
    ];

    public static readonly IReadOnlyList<Choice> SalesExperiences =
    [
        Make("none", "なし", "None"),
        Make("under_1_year", "1年未満", "Less than 1 year"),
        Make("1_to_3_years", "1〜3年", "1 to 3 years"),
        Make("3_to_5_years", "3〜5年", "3 to 5 years"),
        Make("5_to_10_years", "5〜10年", "5 to 10 years"),
        Make("over_10_years", "10年以上", "More than 10 years"),
    ];

    public static bool IsIndustry(string value) => Industries.Any(c => c.Value == value);

    public static bool IsSalesExperience(string value) => SalesExperiences.Any(c => c.Value == value);

    private static Choice Make(string value, string ja, string en) =>
        new(value, new Dictionary<string, string> { ["ja"] = ja, ["en"] = en });
}
