using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Admin;

/// <summary>What a template, its parts and its variables must be before they are saved.</summary>
public static partial class TemplateEndpoints
{
    /// <summary>Checks a subject, HTML and text: present, within size, and written in the template language.</summary>
    private static ParsedParts? CheckParts(TemplateParts? parts, Errors errors, string prefix, IReadOnlyCollection<string> variables)
    {
        var before = errors.Count;
        void Require(string name, string? value, int max)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add(prefix + name, $"{name} is required.");
            }
            else if (value.Length > max)
            {
                errors.Add(prefix + name, $"{name} is {value.Length:N0} characters; at most {max:N0} are allowed.");
            }
        }

        Require("subject", parts?.Subject, MaxSubjectChars);
        Require("html", parts?.Html, MaxHtmlChars);
        Require("text", parts?.Text, MaxTextChars);
        if (errors.Count > before)
        {
            return null;
        }

        try
        {
            return TemplateStore.Parse(parts!.Subject!, parts.Html!, parts.Text!, variables);
        }
        catch (TemplateInvalidException ex)
        {
            errors.AddTemplateProblems(ex, prefix, "");
            return null;
        }
    }

    private static List<TemplateVariable> CheckVariables(List<TemplateVariable>? variables, Errors errors)
    {
        var declared = new List<TemplateVariable>();
        foreach (var (v, i) in (variables ?? []).Select((v, i) => (v, i)))
        {
            if (v?.Name is null || !VariablePattern().IsMatch(v.Name))
            {
                errors.Add($"variables[{i}].name", "A variable's name is a word starting with a capital letter, e.g. TrialEndsAt.");
            }
            else if (declared.Any(d => d.Name == v.Name))
            {
                errors.Add($"variables[{i}].name", $"'{v.Name}' is declared twice.");
            }
            else
            {
                var description = (v.Description ?? "").Trim();
                var sample = v.Sample ?? "";
                if (description.Length > 500 || sample.Length > MaxValueChars)
                {
                    errors.Add($"variables[{i}]", $"'{v.Name}': description at most 500 characters, sample at most {MaxValueChars}.");
                    continue;
                }

                declared.Add(new TemplateVariable(v.Name, description, sample));
            }
        }

        if (declared.Count > 50)
        {
            errors.Add("variables", "At most 50 variables.");
        }

        return declared;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{1,63}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("^[A-Z][A-Za-z0-9]{0,49}$")]
    private static partial Regex VariablePattern();

    /// <summary>Field errors collected across a request, answered at once as one problem.</summary>
    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _messages = [];
        private readonly List<object> _problems = [];

        public bool Any => _messages.Count > 0;

        public int Count => _messages.Sum(m => m.Value.Count);

        public void Add(string field, string message, object? located = null)
        {
            (_messages.TryGetValue(field, out var list) ? list : _messages[field] = []).Add(message);
            if (located is not null)
            {
                _problems.Add(located);
            }
        }

        /// <summary>Each problem under its part's field, and located (part, line, column) for tools.</summary>
        public void AddTemplateProblems(TemplateInvalidException ex, string prefix, string lead)
        {
            foreach (var (part, problems) in ex.Problems)
            {
                foreach (var problem in problems)
                {
                    Add(prefix + part, lead + problem, new { part = prefix + part, line = problem.Line, column = problem.Column, message = problem.Message });
                }
            }
        }

        public ValidationProblem Problem() => TypedResults.ValidationProblem(
            _messages.ToDictionary(m => m.Key, m => m.Value.ToArray()),
            title: "The request has problems",
            extensions: _problems.Count > 0 ? new Dictionary<string, object?> { ["template_problems"] = _problems } : null);
    }
}
