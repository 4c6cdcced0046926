namespace Engine.Text.Tests;

/// <summary>Where the shared data sets and this project's fixtures are.</summary>
internal static class TestPaths
{
    /// <summary>The shared data folder (ENGINE_DATA overrides; default: ../shared/data next to the repository).</summary>
    public static string Data
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("ENGINE_DATA");
            if (!string.IsNullOrEmpty(env))
            {
                return env;
            }
            // Walk up from the test binary to the folder that holds shared/data.
            for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
            return "/work/shared/data";
        }
    }

    /// <summary>The word-similarity and analogy files.</summary>
    public static string WordSim => Path.Combine(Data, "wordsim");

    /// <summary>The training corpus.</summary>
    public static string TextCorpus => Path.Combine(Data, "text_corpus");

    /// <summary>Fixtures copied next to the test binary.</summary>
    public static string Fixtures => Path.Combine(TestContext.CurrentContext.TestDirectory, "fixtures", "word2vec");

    /// <summary>The fixture folder in the source tree (for regenerating fixtures).</summary>
    public static string SourceFixtures
    {
        get
        {
            for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "Engine.Text.Tests", "fixtures", "word2vec");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new DirectoryNotFoundException("tests/Engine.Text.Tests/fixtures/word2vec not found above the test directory.");
        }
    }

    /// <summary>A fresh temporary folder, deleted by the caller.</summary>
    public static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "engine-text-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
