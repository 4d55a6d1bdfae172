"""Plain-text pages in the seeds' style from other sites: their headers, chrome and threads.

Each fixture page under tests/fixtures/pages was written for this project in the manner of
one kind of site (its own chrome, language and header order). The tests pin the article
(title, date, byline, whole body) and every comment (exact text, author, time, parent).
"""

from __future__ import annotations

import re

import pytest

from moderation.parse import parse
from moderation.parse.chrome import LineKind, classify_line, is_toolbar
from moderation.parse.headers import read_comment_header
from moderation.parse.text import fold_for_matching
from moderation.records import Article, Comment
from tests.support import FIXTURES, SEEDS

PAGES = FIXTURES / "pages"


def _read(name: str) -> tuple[Article, list[Comment]]:
    records = list(parse(str(PAGES / name), articles=True))
    articles = [r for r in records if isinstance(r, Article)]
    comments = [r for r in records if isinstance(r, Comment)]
    assert len(articles) == 1 and len(records) == 1 + len(comments), records
    return articles[0], comments


def _thread(comments: list[Comment]) -> list[tuple]:
    """(text, author, created_at, created_raw, parent position) of each comment."""
    positions = {c.id: c.position for c in comments}
    return [
        (c.text, c.author, c.created_at, c.created_raw, positions.get(c.parent_id))
        for c in comments
    ]


def test_german_date_line_then_repeated_title_keeps_the_whole_story() -> None:
    article, comments = _read("zeitung_header_thread.txt")
    assert (article.title, article.site) == ("Neue Fähre für die Inselgemeinde", "Beispiel Zeitung")
    assert (article.date, article.author) == ("2024-09-03", "Max Muster")
    assert article.captions == ["Foto: Erika Beispiel / dpa"]
    assert article.body == (
        "Die Inselgemeinde bekommt im Frühjahr eine neue Fähre, die doppelt so viele Autos "
        "tragen kann wie das alte Schiff.\n\n"
        "Der Gemeinderat hatte lange über die Kosten gestritten. Am Ende stimmten elf von "
        "fünfzehn Mitgliedern für den Kauf."
    )
    assert _thread(comments) == [
        ("Endlich! Die alte Fähre war jeden Sommer voll.", "Lena Fischer",
         "2024-09-03T19:12:00", None, None),
        ("Voll war sie, aber pünktlich.\n\nUnd billiger als das neue Schiff wird.",
         "Jonas Weber", "2024-09-03T20:05:00", None, 1),
        ("Wer bezahlt das am Ende? Die Pendler, wie immer.", "Inselkind77",
         "2024-09-04T08:30:00", None, None),
    ]  # fmt: skip
    assert [c.line for c in comments] == [28, 32, 38]


def test_french_relative_times_and_reply_by_name() -> None:
    article, comments = _read("gazette_relative_replies.txt")
    assert article.title == "Le marché couvert rouvre après deux ans de travaux"
    assert (article.date, article.author) == ("2019-03-12T14:05:00", "Jean Exemple")
    assert article.body == (
        "Le marché couvert du centre-ville a rouvert ses portes samedi matin, après deux ans "
        "de travaux.\n\n"
        "Les commerçants ont retrouvé leurs anciens emplacements, mais les loyers ont "
        "augmenté de dix pour cent."
    )
    assert _thread(comments) == [
        ("Enfin ! Le samedi matin n'était plus pareil sans le marché.", "Claire Martin",
         None, "il y a 2 jours", None),
        ("Dix pour cent de plus, ce sont les clients qui paieront.", "Paul Durand",
         None, "il y a 1 jour", 1),
        ("Pareil, j'y allais chaque semaine avec mes enfants.", "Marc_L",
         None, "hier à 09h15", 1),
    ]  # fmt: skip


def test_spanish_numbered_thread_with_nested_reply_and_headers_inside_items() -> None:
    article, comments = _read("diario_numbered_replies.txt")
    assert (article.title, article.site) == (
        "La ciudad prueba un tranvía nocturno",
        "Diario Ejemplo",
    )
    assert (article.date, article.author) == ("2024-03-03", "Ana Ejemplo")
    assert article.body.count("\n\n") == 1
    assert "Compartir" not in article.body and "relacionadas" not in article.body
    assert _thread(comments) == [
        ("Por fin una buena noticia para los que trabajamos de noche.", "Luis Pérez",
         "2024-03-03T19:04:00", None, None),
        ("Gracias, Luis. Lo seguiremos de cerca.", "Ana Ejemplo",
         "2024-03-03T20:10:00", None, 1),
        ("Seis meses no bastan para saber si funciona.\n\nHabrá que esperar al invierno.",
         "Carla", None, "hace 3 horas", None),
        ("¿Y el ruido para los que vivimos junto a las vías?", "vecino_del_centro",
         None, "hace 1 hora", None),
    ]  # fmt: skip


def test_italian_author_line_above_time_line() -> None:
    article, comments = _read("gazzetta_name_lines.txt")
    assert (article.date, article.author) == ("2024-09-03", "Mario Rossi")
    assert article.body == (
        "Da lunedì i traghetti per le isole partiranno ogni quaranta minuti invece che ogni "
        "ora.\n\nLa compagnia ha assunto venti marinai stagionali per coprire i turni in più."
    )
    assert _thread(comments) == [
        ("Finalmente qualcuno ci ha pensato, d'estate le code erano infinite.",
         "Giulia Bianchi", None, "2 giorni fa", None),
        ("Quaranta minuti sono ancora troppi.", "Paolo Verdi", None, "ieri alle 19:04", None),
    ]  # fmt: skip


def test_portuguese_date_before_title_and_time_under_the_comment() -> None:
    article, comments = _read("portal_footer_times.txt")
    assert article.title == "Biblioteca municipal abre aos domingos"
    assert (article.date, article.author) == ("2024-05-12T09:30:00", "João Exemplo")
    assert article.body.startswith("A biblioteca municipal vai abrir")
    assert article.body.count("\n\n") == 1
    assert _thread(comments) == [
        ("Ótima notícia, domingo era o único dia livre para estudar.", None, None,
         "há 3 horas", None),
        ("Quem vai pagar os bibliotecários novos?", None, None, "há 2 horas", None),
    ]  # fmt: skip


def test_english_wordpress_thread_with_indented_replies_and_form_at_the_end() -> None:
    article, comments = _read("courier_wordpress_thread.txt")
    assert (article.title, article.site) == (
        "Night buses return to the valley",
        "The Example Courier",
    )
    assert (article.date, article.author) == ("2024-03-02T17:01:00", "Jane Example")
    assert article.body == (
        "Night buses will run again between the valley towns from April, the transport "
        "board said on Friday.\n\n"
        "The service was cut three years ago when the operator could not find drivers."
    )
    assert _thread(comments) == [
        ("Great news for anyone working late shifts.\n\n"
         "I used to pay forty pounds for a taxi home.", "Anna Berger",
         "2024-03-02T18:12:00", None, None),
        ("Thanks Anna, we will follow the first weeks of the service.", "Jane Example",
         "2024-03-02T19:30:00", None, 1),
        ("Please do!", "Anna Berger", "2024-03-03T08:02:00", None, 2),
        ("Visit my site for cheap bus passes!!! www.example.com", "Tom Smith",
         "2024-03-04T09:15:00", None, None),
    ]  # fmt: skip


def test_numbered_thread_ends_at_a_related_block_and_footer() -> None:
    article, comments = _read("tageblatt_numbered_footer.txt")
    assert (article.title, article.site) == (
        "Schwimmbad bleibt im Winter geschlossen",
        "Beispiel Tageblatt",
    )
    assert article.date == "2023-11-02"
    assert article.body == (
        "Das städtische Hallenbad bleibt von Dezember bis Februar geschlossen, um "
        "Heizkosten zu sparen.\n\n"
        "Schulen und Vereine sollen in dieser Zeit das Bad der Nachbargemeinde nutzen dürfen."
    )
    assert _thread(comments) == [
        ("Drei Monate ohne Training, das ist für die Kinder bitter.", "Schwimmerin_Ulla",
         None, "vor 2 Tagen", None),
        ("Die Heizkosten müssen irgendwo gespart werden.\n\nLieber das Bad als die Schulen.",
         "Bernd Huber", None, "vor 1 Tag", None),
        ("Warum nicht beides offen lassen und woanders sparen?", "Schwimmerin_Ulla",
         None, "vor 20 Stunden", 2),
        ("Wer braucht im Winter ein Hallenbad?", None, None, None, None),
    ]  # fmt: skip
    assert [c.line for c in comments] == [15, 19, 24, 28]


def test_yearless_comment_dates_take_the_year_of_the_story() -> None:
    page = (
        "Harbour fees go up\n\n date 2023-12-20\n\nThe harbour raised its fees by a tenth.\n\n"
        "2 Comments\n\nsailor_sue · Dec 28\nToo much for small boats.\n\n"
        "Ben Ortiz · Jan 3\nFair, the quay needed repairs.\n"
    )
    comments = [r for r in parse(page) if isinstance(r, Comment)]
    assert [(c.author, c.created_at, c.created_raw) for c in comments] == [
        ("sailor_sue", "2023-12-28", None),
        ("Ben Ortiz", "2024-01-03", None),
    ]
    undated = [r for r in parse(page.replace(" date 2023-12-20\n\n", "")) if r.record == "comment"]
    assert [(c.created_at, c.created_raw) for c in undated] == [(None, "Dec 28"), (None, "Jan 3")]


def test_a_comment_header_after_the_story_starts_the_thread() -> None:
    page = (
        "Library opens on Sundays\n\nBy Jane Example\n\nThe library will open on Sundays.\n\n"
        "Anna Berger · 3 hours ago\nAbout time!\n\nTom · 2 hours ago\nWho pays for it?\n"
    )
    records = list(parse(page, articles=True))
    assert records[0].body == "The library will open on Sundays."
    assert [(c.author, c.text) for c in records[1:]] == [
        ("Anna Berger", "About time!"),
        ("Tom", "Who pays for it?"),
    ]


# Chrome of other sites and languages: the article body must never keep these lines.
OTHER_CHROME = [
    "Artikel teilen", "Auf Facebook teilen", "Per WhatsApp teilen", "Link kopieren",
    "Partager cet article", "Partager sur X", "Envoyer par e-mail", "Compartir en Twitter",
    "Copiar enlace", "Condividi su Facebook", "Stampa", "Compartilhe esta notícia",
    "Folgen Sie uns auf Instagram", "Suivez-nous sur Facebook", "Síguenos en Twitter",
    "Seguici su Telegram", "Newsletter abonnieren", "Abonnez-vous à notre newsletter",
    "Mehr zum Thema", "Das könnte Sie auch interessieren", "À lire aussi",
    "Articles similaires", "Noticias relacionadas", "Te puede interesar",
    "Articoli correlati", "Leggi anche", "Leia também", "Notícias relacionadas",
    "You may also like", "Anzeige", "Publicité", "Publicidad", "Pubblicità", "Publicidade",
    "Lesezeit: 3 Min.", "5 min read", "Temps de lecture : 4 min", "Cet article vous a-t-il plu ?",
    "Wie gefällt Ihnen dieser Artikel?", "© 2024 Beispiel Verlag", "Impressum | Datenschutz",
    "Nach oben", "Beispiel Tageblatt auf Instagram folgen", "Alle Rechte vorbehalten.",
]  # fmt: skip
OTHER_FORMS = [
    "Kommentar schreiben", "Sie müssen angemeldet sein, um einen Kommentar zu schreiben.",
    "Ihre E-Mail-Adresse wird nicht veröffentlicht.", "Erforderliche Felder sind mit * markiert",
    "Laisser un commentaire", "Votre adresse e-mail ne sera pas publiée.",
    "Vous devez être connecté pour publier un commentaire.", "Deja un comentario",
    "Tu dirección de correo electrónico no será publicada.", "Lascia un commento",
    "Il tuo indirizzo email non sarà pubblicato.", "Deixe um comentário",
    "O seu endereço de e-mail não será publicado.", "3 Kommentare", "Réactions (3)",
    "12 comentarios", "Commenti (2)", "Comentários", "Name *", "Nom *", "Post Comment",
    "Kommentar absenden", "Cancelar respuesta",
]  # fmt: skip


@pytest.mark.parametrize("line", OTHER_CHROME)
def test_other_sites_chrome_is_recognised(line: str) -> None:
    assert classify_line(fold_for_matching(line)) is LineKind.CHROME


@pytest.mark.parametrize("line", OTHER_FORMS)
def test_other_languages_comment_forms_start_the_thread(line: str) -> None:
    assert classify_line(fold_for_matching(line)) is LineKind.COMMENTS_START


@pytest.mark.parametrize(
    "line",
    [
        "Der Rat will die Ergebnisse mit den Nachbargemeinden teilen.",
        "Les commerçants veulent partager les frais du nouveau toit.",
        "El alcalde dijo que compartir el coche es la solución.",
        "Il sindaco ha detto che condividere i costi è giusto.",
        "A prefeitura vai compartilhar os dados com a universidade.",
        "Mehr als hundert Menschen kamen zur Sitzung.",
        "Publié lundi, le rapport a surpris les élus.",
        "Die Anzeige wurde am Montag erstattet.",
    ],
)
def test_other_languages_story_lines_are_not_chrome(line: str) -> None:
    assert classify_line(fold_for_matching(line)) is LineKind.TEXT


# In this test's own words: a header line is an author name and a time on one line
# (separated by a dot, bar, dash, comma, "on"/"am"/"le"/... or "says"), or the time alone;
# a toolbar is a line of reply / like / report buttons (any of six languages) and counts.
_BUTTON = (
    r"reply|replies|report|flag|like|likes|share|antworten|antwort|melden|gefällt mir"
    r"|répondre|signaler|j'aime|responder|denunciar|me gusta|rispondi|segnala|mi piace"
    r"|curtir|compartilhar|teilen|partager|compartir|condividi"
)
TOOLBAR_LINE = re.compile(rf"^(?:\s*(?:{_BUTTON}|\(?\d+\)?|[·|•/\-–]))+\s*$", re.IGNORECASE)
TIME_WORDS = re.compile(
    r"\b(ago|vor \S+ (minuten|stunden?|tagen?)|il y a|hace \S+ (horas?|días?)|fa$|há \S+"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d\d-\d\d|\d{1,2}:\d\d|yesterday|gestern|hier à"
    r"|ayer|ieri|ontem)\b",
    re.IGNORECASE,
)


def _all_comments() -> list[Comment]:
    inputs = [str(SEEDS), *map(str, sorted(PAGES.glob("*.txt")))]
    return [r for r in parse(inputs) if isinstance(r, Comment)]


def test_no_comment_keeps_its_header_or_a_toolbar_line() -> None:
    comments = _all_comments()
    assert len(comments) > 30
    for comment in comments:
        for line in comment.text.split("\n"):
            assert not TOOLBAR_LINE.match(line), (comment.id, line)
            if comment.author:
                assert not (line.startswith(comment.author) and TIME_WORDS.search(line)), (
                    comment.id,
                    line,
                )
                assert not re.search(rf"\b(by|von|par|por|da)\s+{re.escape(comment.author)}\b",
                                     line, re.IGNORECASE), (comment.id, line)  # fmt: skip
            raw = comment.created_raw
            assert raw is None or raw not in line, (comment.id, line)
        first_line = comment.text.split("\n")[0]
        assert not (len(first_line) < 40 and TIME_WORDS.search(first_line)
                    and not re.search(r"[.!?]", first_line)), (comment.id, first_line)  # fmt: skip


def test_relative_time_is_kept_raw_and_absolute_time_parsed() -> None:
    for comment in _all_comments():
        assert comment.created_at is None or comment.created_raw is None
        if comment.created_at is not None:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d([+-]\d\d:\d\d)?)?",
                                comment.created_at)  # fmt: skip


@pytest.mark.parametrize("line", ["1" * 40 + "x", "12 " * 40 + "x", "reply " * 40 + "x"])
def test_long_runs_of_toolbar_tokens_are_read_once(line: str) -> None:
    # Read token by token (atomic groups), a run of 40 digits is one count, not 2**39 ways
    # to split it: with backtracking this call would not return.
    assert not is_toolbar(fold_for_matching(line))
    assert read_comment_header(line) is None
