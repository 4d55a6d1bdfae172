"""Patterns that tell page chrome, captions and wire credits apart from story and comment text.

Scraped pages carry share widgets, reaction buttons, follow prompts, author boxes, "related
articles" blocks, footers and comment forms around the story and its comments, and toolbars
between the comments. These rules describe their general shapes, in English, German, French,
Spanish, Italian and Portuguese, not any one site's exact lines, so that another site's widget
is dropped too. All matching is done on NFKC, case-folded lines (see
:func:`moderation.parse.text.fold_for_matching`).
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

_WIRES = r"afp|ap|reuters|dpa|upi|xinhua|tass|ria novosti|efe|ansa|bloomberg|pa|anadolu|kyodo"


class LineKind(Enum):
    """What a non-blank line of a scraped page is."""

    TEXT = "text"
    CHROME = "chrome"  # dropped: share, reaction, follow, navigation, ads
    COMMENTS_START = "comments_start"  # dropped, and what follows is the comment thread
    CAPTION = "caption"


class LineRules:
    """Alternative line patterns, tried in two passes.

    Patterns anchored at the line start ("^...") are joined into one regex tried once at
    the start (``match``); the others into one that is searched for. Searching the anchored
    ones too would retry each of them at every position of every line.
    """

    def __init__(self, *patterns: str) -> None:
        anchored = [p[1:] for p in patterns if p.startswith("^")]
        floating = [p for p in patterns if not p.startswith("^")]
        self._anchored = re.compile("|".join(f"(?:{p})" for p in anchored)) if anchored else None
        self._floating = re.compile("|".join(f"(?:{p})" for p in floating)) if floating else None

    def match(self, text: str) -> re.Match[str] | None:
        """A match of an anchored pattern at the start of ``text``."""
        return self._anchored.match(text) if self._anchored else None

    def search(self, text: str) -> re.Match[str] | None:
        """A match of any pattern: anchored ones at the start, the others anywhere."""
        found = self.match(text)
        if found is None and self._floating is not None:
            found = self._floating.search(text)
        return found


def _any(*patterns: str) -> LineRules:
    return LineRules(*patterns)


# The comment form or a comment-count heading: the thread starts here. The form is
# recognised in the six languages the date reader knows (en, de, fr, es, it, pt).
_COMMENT_WORDS = (
    r"comments?|responses?|replies|kommentare?|leserkommentare?|commentaires?|réactions?"
    r"|comentarios?|comentários?|commenti|commento|respuestas?|risposte|respostas?"
)
_SUBMIT_WORDS = (
    r"post comment|submit( comment)?|send|kommentar (absenden|abschicken|senden)|absenden"
    r"|abschicken|envoyer|publier( le commentaire)?|enviar( comentario| comentário)?"
    r"|publicar( comentario| comentário)?|invia( commento)?|pubblica( commento)?"
)
COMMENTS_START = _any(
    # the comment form, in English
    r"^your e-?mail( address)? will not be published",
    r"^required fields are marked",
    r"^leave a (reply|comment|response)",
    r"^(post|submit|add|write) (a |your )?comment\b",
    r"^(join|start) the (discussion|conversation)",
    r"^you must be (logged in|registered|signed in)\b",
    # ... in German
    r"^(ihre|deine|eure) e-?mail-?adresse wird nicht veröffentlicht",
    r"^(erforderliche |pflicht)felder sind\b",
    r"^(einen |ihren |deinen )?(kommentar|antwort) (schreiben|verfassen|abgeben|hinterlassen)\b",
    r"^(schreiben|hinterlassen|verfassen) sie (einen|ihren) kommentar",
    r"^(sie müssen|du musst|bitte) (angemeldet|eingeloggt|registriert|anmelden|einloggen)\b",
    r"^diskutieren sie mit\b",
    # ... in French
    r"^votre adresse (e-?mail|de messagerie|courriel) ne sera pas publiée",
    r"^les champs (obligatoires|requis) sont",
    r"^(laisser|laissez|écrire|écrivez|ajouter|publier) (un|une|votre) (commentaire|réponse)",
    r"^vous devez (être connecté|vous connecter|être inscrit)",
    # ... in Spanish
    r"^(deja|dejar|escribe|escribir|añade|añadir|publica|publicar) (un|tu|una) "
    r"(comentario|respuesta)",
    r"^tu (dirección de )?(correo|email|e-mail)( electrónico)? no (será|se) publica",
    r"^los campos (obligatorios|requeridos) (están|se) marca",
    r"^(debes|tienes que|necesitas) (iniciar sesión|estar registrado|registrarte|acceder)",
    # ... in Italian
    r"^(lascia|lasciare|scrivi|aggiungi|invia) un (commento|risposta)",
    r"^il tuo indirizzo (e-?mail )?non sarà pubblicato",
    r"^i campi obbligatori sono",
    r"^(devi|è necessario) (essere (connesso|registrato|loggato)|effettuare il login|accedere)",
    # ... in Portuguese
    r"^(deixe|deixar|escreva|adicione|envie) (um|uma|seu|o seu) (comentário|resposta)",
    r"^(o )?seu (endereço de )?e-?mail não será publicado",
    r"^(os )?campos obrigatórios (são|estão) marcados",
    r"^(você precisa|é necessário|precisa) (fazer login|estar (logado|conectado)|entrar)",
    # form fields, buttons and options, in all six
    r"^(name|e-?mail|website|webseite|nom|nombre|nome|site( web)?|sitio web|sito( web)?"
    r"|correo( electrónico)?|comment|kommentar|commentaire|comentario|commento|comentário)"
    r"\s*(\*|\((required|erforderlich|obligatoire|obligatorio|obbligatorio|obrigatório)\))\s*:?$",
    rf"^({_SUBMIT_WORDS})$",
    r"^(website|webseite|homepage|site( web| internet)?|sitio web|sito( web)?|url)\s*:?$",
    r"^(save|speicher[en]?|enregistrer|guardar|salva|salvar) (my|meinen|mon|mi|il mio|meu)\b"
    r".{0,120}\b(browser|navigateur|navegador)\b",
    r"^(notify me|benachrichtige mich|benachrichtigen sie mich|prévenez-moi|avertissez-moi"
    r"|avísame|avisarme|notificami|notifique-me|me notifique)\b",
    r"^(cancel reply|antwort(en)? abbrechen|annuler (la )?réponse|cancelar (la )?respuesta"
    r"|annulla (la )?risposta|cancelar resposta)$",
    # the thread's own chrome: sort menus and avatar labels
    r"^(sort(ed)? by|sortieren( nach)?|sortiert nach|trier par|trié par|ordenar por"
    r"|ordenado por|ordina per|ordinati per|classificar por)\b.{0,30}$",
    r"^(newest|oldest|best|top|neueste|älteste|beste|plus récents|plus anciens|más recientes"
    r"|más antiguos|più recenti|più vecchi|mais recentes|mais antigos)( first| zuerst"
    r"| d'abord| primero| prima| primeiro)$",
    r"^(avatar|profilbild|profile (picture|photo|image)|photo de profil|foto de perfil"
    r"|immagine del profilo)\b.{0,40}$|^.{1,40}'s avatar$",
    # comment-count headings and "load comments" buttons
    rf"^\d+ ({_COMMENT_WORDS})\b",
    r"^(comments?|kommentare?|leserkommentare|commentaires?|comentarios?|comentários?"
    r"|commenti|reader comments|discussion|diskussion|réactions|leserbriefe)"
    r"\s*(\(\d+\))?:?$",
    r"^(show|load|view|see) (all |more )?\d* ?comments?$",
    r"^(weitere |alle |mehr )?kommentare (anzeigen|laden|einblenden|lesen)$",
    r"^(afficher|voir|charger|lire) (les |plus de |tous les )?\d* ?commentaires$",
    r"^(ver|mostrar|cargar|leer) (los |más |todos los )?\d* ?comentarios$",
    r"^(mostra|visualizza|carica|leggi) (i |altri |tutti i )?\d* ?commenti$",
    r"^(ver|mostrar|carregar|ler) (os |mais |todos os )?\d* ?comentários$",
)

_SHARE_VERBS = (
    r"share|teilen|partager|partagez|compartir|comparte|compártelo|condividi|condividere"
    r"|compartilhar|compartilhe|partilhar|partilhe"
)
_PLATFORMS = (
    r"facebook|twitter|x|whatsapp|telegram|linkedin|reddit|pinterest|e-?mail|mail|xing"
    r"|flipboard|threads|bluesky|mastodon|messenger|sms|vk|instagram|tiktok|youtube"
)

# "Related articles" headings: the headline links under them are chrome too.
RELATED = _any(
    r"^(related|recommended|more from|most read|trending)( \w+){0,3}:?$",
    r"^(read|see|watch) (more|also|next)\b.{0,60}$",
    r"^(you (may|might) (also )?(like|enjoy|be interested)|don'?t miss|also read|more (stories"
    r"|news|articles)|top stories|(most )?popular( now)?|editor'?s picks?)\b.{0,30}$",
    r"^(mehr zum thema|mehr (news|nachrichten|artikel|dazu)|weitere (artikel|nachrichten"
    r"|beiträge|themen|meldungen)|lesen sie (auch|mehr|hier)|auch interessant|das könnte sie"
    r"( auch)? interessieren|(verwandte|ähnliche|empfohlene) (artikel|beiträge|themen)"
    r"|meistgelesen|(am )?meisten gelesen|top-?themen|zum thema)\b.{0,30}$",
    r"^(à lire (aussi|également)|lire (aussi|également)|(articles?|contenus?) (similaires|liés"
    r"|associés|recommandés)|sur le même (sujet|thème)|vous aimerez (aussi|également)"
    r"|(les )?plus lus|(plus d'|d'autres )actualités|voir aussi|à voir aussi"
    r"|dans la même rubrique)\b.{0,30}$",
    r"^((artículos?|noticias?|contenidos?) (relacionad[oa]s|recomendad[oa]s|similares)"
    r"|(también )?te puede interesar|(lee|leer|lea) (también|más)|más (noticias|leíd[oa]s"
    r"|vist[oa]s)|lo más (leído|visto)|ver también)\b.{0,30}$",
    r"^((articoli|notizie|contenuti) (correlat[ie]|consigliat[ie]|simili)|leggi (anche|altro)"
    r"|(ti )?potrebbe (anche )?interessar(ti|e)|(i )?più lett[ie]|altre notizie"
    r"|vedi anche)\b.{0,30}$",
    r"^((artigos?|notícias?|conteúdos?) (relacionad[oa]s|recomendad[oa]s|semelhantes)"
    r"|leia (também|mais)|veja (também|mais)|(as |os )?mais lid[ao]s|mais notícias"
    r"|você (também )?pode gostar|(pode|poderá) (também )?(te )?interessar)\b.{0,30}$",
)

# Share and follow widgets, reaction buttons, navigation, ads, footers.
CHROME = _any(
    # share widgets: "Like it? Share with your friends!", "Share this:", "Auf Facebook teilen"
    r"^(?!.*\.$).{0,30}\bshare (this|it|with|on|via)\b.{0,40}$",
    r"^(like (it|this)\?? ?)?share\b.{0,30}$",
    rf"^(jetzt |artikel |diesen artikel |beitrag )?({_SHARE_VERBS})\b(?!.*[.!?]$).{{0,40}}$",
    rf"^(?!.*[.!?]$).{{0,40}}\b({_SHARE_VERBS})\W*$",
    rf"^(auf|per|via|sur|par|en|por|su|no|on|by|über) ({_PLATFORMS})\b(?!.*[.!?]$).{{0,30}}$",
    rf"^(tweet|pin it|print|copy link|{_PLATFORMS}|drucken|imprimer|imprimir|stampa"
    r"|link kopieren|copier le lien|copiar (en)?lace|copia (il )?link|copiar link)$",
    r"^(send|envoyer|enviar|invia(re)?|mandar|versenden|verschicken|senden)\b.{0,30}"
    r"\b(e-?mail|mail|courriel|correo)\W*$",
    r"^(per|by|par|por|via) (e-?mail|mail|courriel|correo)\b.{0,30}$",
    # follow / subscribe / newsletter / more-news prompts
    r"^(follow|subscribe( to)?|join|like) (us|\w+( \w+)?) (on|to|at|via)\b.{0,50}$",
    r"^follow .{0,40}(social media|twitter|facebook|instagram|telegram)\W*$",
    r"^(for|get) (more|the latest) (news|videos|stories|updates)\b.{0,50}$",
    r"^subscribe\b.{0,60}$",
    r"^.{0,60}\b(besuchen sie|folgen sie|abonnieren)\b.{0,30}$",
    r"^(folge|folgt|suivez[- ]nous|suis[- ]nous|síguenos|siguenos|seguici|siga[- ]nos"
    r"|sigam[- ]nos|segue[- ]nos)\b.{0,50}$",
    # "Folgen Sie uns auf X", "Beispiel Tageblatt auf Instagram folgen": a follow verb and a
    # platform in one short line, in either order
    r"^(?!.*[.!?]$)(?=.*\b(follow|folgen|folge|suivez|suivre|síguenos|seguir|seguici|seguire"
    rf"|siga|sigam|abonnieren|abonnez)\b)(?=.*\b({_PLATFORMS})\b).{{0,80}}$",
    r"^(abonnez[- ]vous|abonne[- ]toi|suscríbete|suscribete|suscribirse|iscriviti|abbonati"
    r"|assine|inscreva[- ]se|jetzt abonnieren)\b.{0,60}$",
    r"^(?!.*\.$).{0,40}\b(newsletter|boletín|boletim)\b.{0,60}$",
    r"^(advertisement|sponsored( content)?|anzeige|werbung|publicité|publicidad|pubblicità"
    r"|publicidade|gesponsert|sponsorisé|patrocinado|sponsorizzato|promoted|ad)$",
    r"^(skip to (main )?content|zum inhalt springen|aller au contenu|ir al contenido"
    r"|vai al contenuto|ir para o conteúdo|menu|menü|home|startseite|accueil|inicio|início"
    r"|search|suche|rechercher|buscar|cerca|pesquisar|sign in|log in|register|anmelden"
    r"|registrieren|se connecter|iniciar sesión|accedi|entrar)$",
    # reading time: "5 min read", "Lesezeit: 3 Minuten", "Temps de lecture : 4 min"
    r"^\d+\s*(min\.?|minutes?|minuten?|minutos?|minuti)( de| di)?\s*(read|lesezeit|lesen"
    r"|de lecture|lecture|lectura|di lettura|lettura|de leitura|leitura)$",
    r"^(reading time|lesezeit|lesedauer|temps de lecture|tiempo de lectura|lectura"
    r"|tempo di lettura|tempo de leitura)\s*:?\s*\d+.{0,15}$",
    # reaction widgets: "What's Your Reaction?", "Wie gefällt Ihnen dieser Artikel?"
    r"^what'?s your reaction\??$",
    r"^how do you feel\b.{0,40}$",
    r"^(your reaction|reactions?|ihre reaktion|votre réaction|tu reacción|la tua reazione"
    r"|sua reação)\W*$",
    r"^(?=(\S+\s+){0,11}\S+\s*\?$).{0,60}\b(artikel|beitrag|article|artículo|articulo"
    r"|noticia|articolo|artigo|notícia|story|post)\b.{0,40}\?$",
    # hashtag lines: "#Russia #Ukraine"
    r"^(#\w+\s*)+$",
    # cookie banners
    r"\bthis (site|website) uses cookies\b",
    r"\b(diese (website|seite|webseite) (verwendet|nutzt) cookies|ce site utilise des cookies"
    r"|este (sitio|site)( web)? (utiliza|usa) cookies|questo sito( web)? utilizza (i )?cookie)",
)

# Page footers: copyright, legal links, "back to top". Dropped inside a thread too.
FOOTER = _any(
    r"^.{0,80}\b(all rights reserved|alle rechte vorbehalten|tous droits réservés"
    r"|todos los derechos reservados|tutti i diritti riservati|todos os direitos reservados)"
    r"\W*$",
    r"^(©|\(c\)|copyright)\s*.{0,80}$",
    r"^(back to top|nach oben|zurück nach oben|retour en haut|volver arriba|torna su"
    r"|voltar ao topo)\W*$",
    r"^(impressum|datenschutz(erklärung)?|kontakt|agb|mentions légales|politique de "
    r"confidentialité|aviso legal|política de privacidad|privacy( policy)?|cookies?"
    r"( policy| settings)?|terms( of (use|service))?|contact( us)?|note legali"
    r"|política de privacidade|termos de uso)(\s*[|·•]\s*[^|·•]{1,40})*$",
)

# Reaction buttons, as scraped: "hate hate" (icon text and label), "love 12", "Wow".
REACTION = _any(
    r"^(\w+) \1( \d+)?$",
    r"^(like|love|haha|wow|sad|angry|hate|confused|fail|fun|geeky|lol|omg|win|cute|wtf|"
    r"upvote|downvote|thumbs up|thumbs down)( \d+)?$",
)

# "About the author": the author box's name and bio lines that follow are chrome too.
AUTHOR_BOX = re.compile(
    r"^(about the (author|writer)|author bio|über (den|die) autor(in)?|zur person"
    r"|à propos de l'auteur(e)?|(sobre|acerca de)l? (el |la |o |a )?autor(a)?|sull'autore)\W*$"
)
AUTHOR_BOX_LINES = 2

# Photo and video captions: a closing credit in parentheses, or a caption opener.
CAPTION = _any(
    r"\((photo|photograph|picture|image|video|foto|bild)( by| credit|:)[^()]*\)\s*$",
    rf"\([^()]*(/\s*({_WIRES})\b|handout|via ({_WIRES})|getty images|press service)[^()]*\)\s*$",
    r"^(this|a|an) (handout )?(photo|picture|image|video grab|handout|file photo)\b.{0,80}"
    r"\b(taken|shows|released|provided)\b",
    # a credit line of its own: "Foto: dpa / Max Muster", "Photo : AFP"
    r"^(foto|fotos|bild|photo|photos|image|imagen|immagine|fotografía|fotografia|crédito"
    r"|credit|video)\s*:\s*\S(?=(\S*\s+){0,11}\S*$).{0,80}$",
)

# "KIEV, Ukraine (AFP) – " at the start of the first paragraph.
DATELINE = re.compile(
    rf"^(?P<dateline>[A-Z][A-Z .'-]{{1,40}}(,\s*[A-Z][\w .'-]{{1,40}})?\s*\((?i:{_WIRES})\))"
    r"\s*[-–—]+\s*"
)

# A closing wire credit on its own line: "AFP", "(Reuters)", "AFP/dpa".
CREDIT = re.compile(rf"^[-–—(]?\s*(({_WIRES})(\s*[/,]\s*)?)+\)?$", re.IGNORECASE)

# Inside an unnumbered comment thread only toolbars and reaction buttons are dropped: a
# reader's comment may well say "share this" or "subscribe to my channel", and that is spam
# to flag, not chrome to hide. A toolbar line is made of toolbar words, counts and
# separators only ("Reply · Like · 12", "Like (14) · Reply", "Antworten | Melden").
_TOOLBAR_WORDS = (
    # English
    r"reply to this comment|report (abuse|this comment|comment)|not helpful|thumbs (up|down)"
    r"|give award|reply|replies|respond|report|flag|liked?|likes|unlike|dislike[sd]?|share"
    r"|permalink|link|edit|delete|quote|upvotes?|downvotes?|votes?|points?|helpful"
    r"|recommend|award|save"
    # German
    r"|auf diesen kommentar antworten|(missbrauch|kommentar) melden|gefällt mir"
    r"|daumen (hoch|runter)|antworten|antwort|melden|teilen|zitieren|bearbeiten|löschen"
    r"|empfehlen|empfehlungen"
    # French
    r"|répondre à ce commentaire|signaler (un abus|ce commentaire)|je n['’]aime pas"
    r"|j['’]aime|répondre|réponses?|signaler|partager|citer|modifier|supprimer|recommander"
    # Spanish
    r"|responder a este comentario|no me gusta|me gusta|responder|respuestas?|denunciar"
    r"|reportar|compartir|citar|editar|eliminar|votar|votos?"
    # Italian
    r"|rispondi a questo commento|segnala abuso|non mi piace|mi piace|rispondi|risposte"
    r"|risposta|segnala|condividi|cita|modifica|elimina|vota|voti"
    # Portuguese
    r"|responder a este comentário|não gostei|resposta|respostas|curtir|curtidas?|gostei"
    r"|compartilhar|partilhar|excluir"
)
_TOOLBAR_HELPERS = (
    r"show|hide|view|load|see|more|all|this|comment|anzeigen|ausblenden|einblenden|laden"
    r"|alle|mehr|weitere|kommentar|afficher|voir|masquer|charger|plus|les|ce|commentaire"
    r"|ver|mostrar|ocultar|cargar|más|los|este|comentario|mostra|nascondi|carica|altre|le"
    r"|questo|commento|carregar|mais|os|comentário"
)
_TOOLBAR_COUNT = r"[+\-−]?\d+(?:[.,]\d+)?[km]?|\(\d+\)|[↑↓▲▼⬆⬇👍👎❤♥★☆\ufe0f]+\s*\d*"
# Atomic groups: a token once read is not re-split ("1234" is one count, not four), so a
# long line of digits cannot make the match backtrack exponentially.
TOOLBAR = re.compile(
    rf"^(?>\s*(?>[·•|/,:\-–—]|(?:{_TOOLBAR_COUNT})(?!\w)"
    rf"|(?:{_TOOLBAR_WORDS}|{_TOOLBAR_HELPERS})(?![\w'])))+\s*$"
)
_TOOLBAR_CORE = re.compile(rf"(?<![\w'])({_TOOLBAR_WORDS})(?![\w'])")


def has_toolbar_word(folded: str) -> bool:
    """True when the line holds a toolbar word anywhere ("3 hours ago · reply")."""
    return bool(_TOOLBAR_CORE.search(folded))


@lru_cache(maxsize=8192)
def is_toolbar(folded: str) -> bool:
    """True for a comment toolbar line: reply / like / report buttons and their counts.

    >>> [is_toolbar(t) for t in ("reply · like · 12", "like (14) · reply", "antworten | melden")]
    [True, True, True]
    >>> is_toolbar("répondre · signaler"), is_toolbar("i like this reply")
    (True, False)
    """
    return bool(TOOLBAR.match(folded)) and bool(_TOOLBAR_CORE.search(folded))


# A short label: an author box line, a site name; no sentence punctuation.
SHORT_LABEL = re.compile(r"^[^.!?]{1,40}$")

# "  1. First comment": a numbered comment item and its number.
NUMBERED_ITEM = re.compile(r"^(?P<indent> {0,6})(?P<number>\d{1,5})[.)]\s+(?P<text>\S.*)$")


@lru_cache(maxsize=8192)
def classify_line(folded: str) -> LineKind:
    """Classify one folded, stripped, non-blank line of a scraped page."""
    if COMMENTS_START.search(folded):
        return LineKind.COMMENTS_START
    if CAPTION.search(folded):
        return LineKind.CAPTION
    if (
        CHROME.search(folded)
        or FOOTER.search(folded)
        or RELATED.search(folded)
        or REACTION.search(folded)
        or AUTHOR_BOX.search(folded)
    ):
        return LineKind.CHROME
    return LineKind.TEXT


def is_short_label(text: str) -> bool:
    """True for short lines with no sentence punctuation: names, site labels, buttons."""
    return bool(SHORT_LABEL.match(text)) and len(text.split()) <= 5
