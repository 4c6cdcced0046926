using System.Globalization;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary>One Spectre.Console progress bar around a long pass; plain lines (at each quarter) when output is redirected.</summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="body"/>, which reports (done, total) through the callback it is given.</summary>
    public static T Run<T>(string title, Func<Action<int, int>, T> body)
    {
        if (Console.IsOutputRedirected)
        {
            int lastQuarter = 0;
            return body((done, total) =>
            {
                int quarter = total == 0 ? 4 : (int)(4L * done / total);
                if (quarter > lastQuarter)
                {
                    lastQuarter = quarter;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title}: {done}/{total} ({25 * quarter}%)"));
                }
            });
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                result = body((done, total) =>
                {
                    task.MaxValue = Math.Max(total, 1);
                    task.Value = done;
                });
                task.Value = task.MaxValue;
            });
        return result;
    }
}
