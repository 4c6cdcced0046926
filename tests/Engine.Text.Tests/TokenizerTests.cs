using Engine.Text.Tokenization;

namespace Engine.Text.Tests;

public class TokenizerTests
{
    [Test]
    public void DefaultKeepsLowercaseLettersAndInWordApostrophes()
    {
        var t = new WordTokenizer();
        Assert.That(t.Tokenize("The King's men, in 1776, said: \"Don't!\" 'Tis soldiers' pay."),
            Is.EqualTo(new[] { "the", "king's", "men", "in", "said", "don't", "tis", "soldiers", "pay" }));
    }

    [Test]
    public void UnicodeLettersOfAnyScriptAreWords()
    {
        var t = new WordTokenizer();
        // Greek, CJK, accented Latin, a supplementary-plane letter (surrogate pair) and a curly apostrophe.
        Assert.That(t.Tokenize("Ελλάδα και 東京 — Café naïve 𝒜lpha don’t"),
            Is.EqualTo(new[] { "ελλάδα", "και", "東京", "café", "naïve", "𝒜lpha", "don't" }));
    }

    [Test]
    public void OptionsChangeCaseDigitsAndPunctuation()
    {
        var keep = new WordTokenizer(new TokenizerOptions { Lowercase = false, KeepDigits = true });
        Assert.That(keep.Tokenize("In 1776, B2B grew."), Is.EqualTo(new[] { "In", "1776", "B2B", "grew" }));

        var punct = new WordTokenizer(new TokenizerOptions { Punctuation = PunctuationMode.Separate });
        Assert.That(punct.Tokenize("Stop, now!"), Is.EqualTo(new[] { "stop", ",", "now", "!" }));

        var noApostrophe = new WordTokenizer(new TokenizerOptions { KeepApostrophes = false });
        Assert.That(noApostrophe.Tokenize("don't"), Is.EqualTo(new[] { "don", "t" }));
    }

    [Test]
    public void VeryLongWordsAndEmptyInputWork()
    {
        var t = new WordTokenizer();
        string longWord = new('x', 5000);
        Assert.That(t.Tokenize(longWord + " y"), Is.EqualTo(new[] { longWord, "y" }));
        Assert.That(t.Tokenize(""), Is.Empty);
        Assert.That(t.Tokenize(" ,;: 123 "), Is.Empty);
    }
}
