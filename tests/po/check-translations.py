#!/usr/bin/env python3
# check-translations.py: the checks behind the 'po' test suite, as TAP
#
# SPDX-License-Identifier: MIT
#
#   check-translations.py potfiles SOURCE_DIR
#       po/POTFILES.in is sorted, names files that exist, and names every
#       file that holds a string marked for translation
#   check-translations.py escapes SOURCE_DIR
#       no user-visible string in ui/*.ui or the window's C code escapes
#       gettext (and the checker itself flags known mistakes)
#   check-translations.py catalogs SOURCE_DIR
#       for each language in po/LINGUAS: msgfmt --check passes, and every
#       message of a template made now from the sources is translated,
#       none fuzzy
#
# The window's strings are translated; the command line's stay English.

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# --- TAP ---------------------------------------------------------------------

_results = []


def check(ok, name, problems=()):
    """Records one TAP test point; problems are printed as diagnostics."""
    _results.append(ok)
    print(f"{'ok' if ok else 'not ok'} {len(_results)} - {name}")
    for problem in ([] if ok else problems):
        print(f"# {problem}")
    sys.stdout.flush()


def finish():
    print(f"1..{len(_results)}")
    return 0 if all(_results) else 1


# --- what POTFILES.in must list ---------------------------------------------

# Folders whose files may carry translatable strings, and the kinds of file
SCANNED_DIRS = ["app", "ui", "data", "resources"]
SCANNED_SUFFIXES = (".c", ".h", ".ui", ".in", ".xml")

# gettext calls in C: _( N_( C_( NC_( g_dgettext... and ngettext
C_MARK = re.compile(r"\b(?:N?C?_|g_d[cnp]?gettext2?|n?gettext)\s*\(")
# GtkBuilder and GMenu markup, AppStream and desktop templates
UI_MARK = re.compile(r'translatable\s*=\s*"yes"')
# A desktop template's keys translated through its ITS rules
DESKTOP_MARK = re.compile(r"^(Name|GenericName|Comment|Keywords)=", re.M)
# AppStream metainfo: everything under <summary>/<description>/<caption>/<name>
METAINFO_MARK = re.compile(r"<(summary|description|caption|name)\b")
# GSettings schemas: summaries and descriptions are extracted
GSCHEMA_MARK = re.compile(r"<(summary|description)\b")


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def strip_c_comments(text):
    """Removes /* */ and // comments, keeping string literals intact."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def has_translatable(path, text):
    name = os.path.basename(path)
    if name.endswith((".c", ".h")):
        return C_MARK.search(strip_c_comments(text)) is not None
    if UI_MARK.search(text):
        return True
    if ".desktop" in name:
        return DESKTOP_MARK.search(text) is not None
    if ".metainfo." in name or ".appdata." in name:
        return METAINFO_MARK.search(text) is not None
    if name.endswith(".gschema.xml"):
        return GSCHEMA_MARK.search(text) is not None
    return False


def read_potfiles(source):
    path = os.path.join(source, "po", "POTFILES.in")
    entries = []
    for line in read_text(path).splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries.append(line)
    return entries


def scanned_files(source):
    for top in SCANNED_DIRS:
        for root, dirs, files in os.walk(os.path.join(source, top)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(SCANNED_SUFFIXES):
                    yield os.path.relpath(os.path.join(root, name), source)


def run_potfiles(source):
    entries = read_potfiles(source)
    listed = set(entries)

    check(entries == sorted(entries), "POTFILES.in is sorted",
          [f"expected order: {' '.join(sorted(entries))}"])
    missing_files = [e for e in entries if not os.path.isfile(os.path.join(source, e))]
    check(not missing_files, "every file POTFILES.in names exists",
          [f"po/POTFILES.in: {e}: no such file" for e in missing_files])
    check(len(listed) == len(entries), "POTFILES.in names each file once")

    unmarked = [e for e in entries
                if e not in missing_files and not has_translatable(e, read_text(os.path.join(source, e)))]
    check(not unmarked, "every file POTFILES.in names has strings to translate",
          [f"po/POTFILES.in: {e}: nothing marked for translation" for e in unmarked])

    unlisted = [f for f in scanned_files(source)
                if f not in listed and has_translatable(f, read_text(os.path.join(source, f)))]
    check(not unlisted, "POTFILES.in names every file with strings to translate",
          [f"{f}: has translatable strings but is not in po/POTFILES.in" for f in unlisted])


# --- strings that escape gettext ---------------------------------------------

# GtkBuilder properties and menu attributes that people read
UI_TEXT_PROPERTIES = {
    "label", "title", "subtitle", "tooltip-text", "tooltip-markup", "placeholder-text",
    "description", "text", "secondary-text", "heading", "body", "button-label",
    "primary-text", "message", "accessible-name", "accessible-description",
    "copyright", "comments", "application-name", "developer-name", "website-label",
    "shortcut-label",
}
# Values that are no words: numbers, symbols, keyboard accelerators
UI_NON_TEXT = re.compile(r"^[\s\d\W]*$|^<[A-Za-z]+>|^[a-z0-9]+(-[a-z0-9]+)*-symbolic$")


def ui_text_needs_gettext(text):
    text = (text or "").strip()
    return bool(text) and not UI_NON_TEXT.match(text)


def escapes_in_ui(path, text):
    """User-visible texts in a GtkBuilder file that are not translatable."""
    problems = []
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        return [f"{path}: not well-formed XML: {e}"]
    for element in root.iter():
        tag = element.tag
        name = element.get("name", "")
        # Properties and menu labels people read; list items and scale marks
        visible = ((tag == "property" and name in UI_TEXT_PROPERTIES) or
                   (tag == "attribute" and name == "label") or
                   tag in ("item", "mark"))
        if not visible or not ui_text_needs_gettext(element.text):
            continue
        if element.get("translatable") != "yes":
            label = f'<{tag}{" name=" + repr(name) if name else ""}>'
            problems.append(f"{path}: {label} “{element.text.strip()}” is not translatable=\"yes\"")
    return problems


# C calls whose arguments people read: function -> the argument positions
# (0-based) that hold the text; None means every argument
C_TEXT_CALLS = {
    "gtk_label_new": [0], "gtk_label_new_with_mnemonic": [0],
    "gtk_label_set_label": [1], "gtk_label_set_text": [1], "gtk_label_set_markup": [1],
    "gtk_label_set_text_with_mnemonic": [1], "gtk_label_set_markup_with_mnemonic": [1],
    "gtk_button_new_with_label": [0], "gtk_button_new_with_mnemonic": [0],
    "gtk_button_set_label": [1], "gtk_check_button_new_with_label": [0],
    "gtk_check_button_new_with_mnemonic": [0], "gtk_check_button_set_label": [1],
    "gtk_toggle_button_new_with_label": [0], "gtk_toggle_button_new_with_mnemonic": [0],
    "gtk_menu_button_set_label": [1], "gtk_link_button_new_with_label": [1],
    "gtk_widget_set_tooltip_text": [1], "gtk_widget_set_tooltip_markup": [1],
    "gtk_window_set_title": [1], "gtk_entry_set_placeholder_text": [1],
    "gtk_text_set_placeholder_text": [1], "gtk_search_entry_set_placeholder_text": [1],
    "gtk_progress_bar_set_text": [1], "gtk_file_filter_set_name": [1],
    "gtk_file_dialog_set_title": [1], "gtk_file_dialog_set_accept_label": [1],
    "gtk_file_chooser_native_new": [0, 3, 4], "gtk_string_list_append": [1],
    "gtk_alert_dialog_new": None, "gtk_alert_dialog_set_message": [1],
    "gtk_alert_dialog_set_detail": [1], "gtk_message_dialog_new": [4],
    "gtk_accessible_update_property": None,
    "adw_toast_new": [0], "adw_toast_new_format": None, "adw_toast_set_title": [1],
    "adw_toast_set_button_label": [1],
    "adw_status_page_set_title": [1], "adw_status_page_set_description": [1],
    "adw_preferences_row_set_title": [1], "adw_action_row_set_subtitle": [1],
    "adw_expander_row_set_subtitle": [1], "adw_preferences_group_set_title": [1],
    "adw_preferences_group_set_description": [1], "adw_preferences_page_set_title": [1],
    "adw_window_title_new": [0, 1], "adw_window_title_set_title": [1],
    "adw_window_title_set_subtitle": [1], "adw_button_content_set_label": [1],
    "adw_split_button_set_label": [1], "adw_tab_page_set_title": [1],
    "adw_view_stack_add_titled": [3], "adw_view_stack_page_set_title": [1],
    "adw_message_dialog_new": [1, 2], "adw_message_dialog_set_heading": [1],
    "adw_message_dialog_set_body": [1], "adw_message_dialog_format_heading": None,
    "adw_message_dialog_format_body": None, "adw_message_dialog_add_response": [2],
    "adw_message_dialog_set_response_label": [2],
    "adw_alert_dialog_new": [0, 1], "adw_alert_dialog_set_heading": [1],
    "adw_alert_dialog_set_body": [1], "adw_alert_dialog_add_response": [2],
    "adw_about_window_set_application_name": [1], "adw_about_window_set_developer_name": [1],
    "adw_about_window_set_comments": [1], "adw_about_window_set_copyright": [1],
    "adw_about_window_set_translator_credits": [1], "adw_about_window_add_legal_section": [1],
    "adw_about_window_add_credit_section": [1], "adw_about_window_add_acknowledgement_section": [1],
    "adw_about_window_set_release_notes": [1],
    "g_menu_append": [1], "g_menu_prepend": [1], "g_menu_insert": [2],
    "g_menu_append_section": [1], "g_menu_append_submenu": [1], "g_menu_item_new": [0],
    "g_menu_item_new_section": [0], "g_menu_item_new_submenu": [0],
    "g_notification_new": [0], "g_notification_set_body": [1], "g_notification_set_title": [1],
    "g_notification_add_button": [1],
    "g_set_application_name": [0],
    # The window's own helper for toasts
    "soundstyle_window_toast": [1],
}
# Errors built in the window reach people through toasts and status pages
C_ERROR_CALLS = {
    "g_set_error": [3], "g_set_error_literal": [3], "g_error_new": [2],
    "g_error_new_literal": [2], "g_task_return_new_error": [3],
    "g_task_report_new_error": [6],
}

C_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")
# A gettext call around a string: its text is translated
C_GETTEXT_CALL = re.compile(r"\b(?:N?C?_|g_d[cnp]?gettext2?|n?gettext)\s*$")
C_FORMAT = re.compile(r"%[-+ #0-9.*lhzjtL]*[a-zA-Z%]")


def split_arguments(text, start):
    """Top-level arguments of the call whose '(' is at start, as
    (argument text, [(literal start, literal end)]) pairs, and the end."""
    args, literals = [], []
    depth, i, arg_start = 0, start, start + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            if c == '"':
                literals.append((i, j + 1, depth))
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append((arg_start, i, [lit for lit in literals if arg_start <= lit[0] < i]))
                return args, i
        elif c == "," and depth == 1:
            args.append((arg_start, i, [lit for lit in literals if arg_start <= lit[0] < i]))
            arg_start = i + 1
        i += 1
    return args, n


def literal_is_words(literal):
    """Whether a C string literal holds words (not just %s, symbols, ids)."""
    body = C_FORMAT.sub("", literal[1:-1])
    return re.search(r"[A-Za-z]", body) is not None


def bare_literals(text, arg):
    """String literals in an argument that no gettext call wraps."""
    start, end, literals = arg
    found = []
    for lit_start, lit_end, depth in literals:
        # Find the innermost open call around this literal within the argument
        prefix = text[start:lit_start]
        wrapped = False
        level = 0
        for k in range(len(prefix) - 1, -1, -1):
            ch = prefix[k]
            if ch == ")":
                level += 1
            elif ch == "(":
                if level == 0:
                    if C_GETTEXT_CALL.search(prefix[:k]):
                        wrapped = True
                        break
                else:
                    level -= 1
        literal = text[lit_start:lit_end]
        if not wrapped and literal_is_words(literal):
            found.append(literal)
    return found


# gettext calls and which of their arguments hold the message
C_GETTEXT_ARGS = {
    "_": [0], "N_": [0], "C_": [1], "NC_": [1], "gettext": [0], "ngettext": [0, 1],
    "g_dgettext": [1], "g_dcgettext": [1], "g_dngettext": [1, 2], "g_dpgettext2": [2],
}


def split_messages(path, code):
    """Messages glued to a macro ("Step %" G_GINT64_FORMAT): xgettext takes
    only the part before the macro, so the text at run time is never found
    in the catalog. PRId64 and friends from <inttypes.h> are the exception:
    gettext knows them."""
    problems = []
    for match in C_CALL.finditer(code):
        name = match.group(1)
        if name not in C_GETTEXT_ARGS:
            continue
        args, _ = split_arguments(code, match.end() - 1)
        for index in C_GETTEXT_ARGS[name]:
            if index >= len(args):
                continue
            start, end, literals = args[index]
            if not literals:
                continue
            rest = code[start:end]
            for lit_start, lit_end, _depth in reversed(literals):
                rest = rest[:lit_start - start] + " " * (lit_end - lit_start) + rest[lit_end - start:]
            macros = [m for m in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", rest)
                      if not re.fullmatch(r"PRI[diouxX](8|16|32|64|LEAST\d+|FAST\d+|MAX|PTR)", m)]
            if macros:
                line = code.count("\n", 0, match.start()) + 1
                problems.append(f"{path}:{line}: {name} gets a message glued to {macros[0]}, which "
                                f"xgettext cannot see through; use a plain format such as %lld, or PRId64")
    return problems


def escapes_in_c(path, text, include_errors):
    code = strip_c_comments(text)
    problems = split_messages(path, code)
    calls = dict(C_TEXT_CALLS)
    if include_errors:
        calls.update(C_ERROR_CALLS)
    for match in C_CALL.finditer(code):
        name = match.group(1)
        if name not in calls:
            continue
        args, _ = split_arguments(code, match.end() - 1)
        # A cancellation is never shown to anyone
        if name in C_ERROR_CALLS and any("CANCELLED" in code[a[0]:a[1]] for a in args):
            continue
        positions = calls[name]
        for index, arg in enumerate(args):
            if positions is not None and index not in positions:
                continue
            for literal in bare_literals(code, arg):
                line = code.count("\n", 0, match.start()) + 1
                problems.append(f"{path}:{line}: {name} shows {literal} without gettext")
    return problems


def self_test_escapes():
    """The checker must flag what it is there to flag."""
    bad_c = {
        'gtk_label_new ("Hello");': True,
        'gtk_button_set_label (button, "Open");': True,
        'adw_toast_new ("Saved");': True,
        'gtk_widget_set_tooltip_text (w, on ? "Stop" : _("Play"));': True,
        'soundstyle_window_toast (self, g_strdup_printf ("Saved %s", n));': True,
        'g_set_error (error, ADIS_ERROR, 1, "could not read %s", p);': True,
        'gtk_label_new (_("Hello"));': False,
        'gtk_label_set_label (l, g_strdup_printf (_("%s at %d"), a, b));': False,
        'adw_message_dialog_add_response (d, "cancel", _("_Cancel"));': False,
        'gtk_label_set_text (l, "%s");': False,
        'g_task_return_new_error (t, G_IO_ERROR, G_IO_ERROR_CANCELLED, "dismissed");': False,
        '/* gtk_label_new ("in a comment") */': False,
        'x = g_strdup_printf (_("Step %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT), a, b);': True,
        'x = g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " step", "%" G_GINT64_FORMAT " steps", n);': True,
        'x = g_strdup_printf (_("Step %" PRId64 " of %" PRId64), a, b);': False,
        'x = g_dngettext (GETTEXT_PACKAGE, "%lld step", "%lld steps", n);': False,
    }
    for snippet, should_flag in bad_c.items():
        flagged = bool(escapes_in_c("snippet.c", snippet, include_errors=True))
        check(flagged == should_flag,
              f"checker {'flags' if should_flag else 'passes'}: {snippet}")
    bad_ui = {
        '<interface><object class="GtkLabel"><property name="label">Hello</property></object></interface>': True,
        '<interface><menu id="m"><item><attribute name="label">Quit</attribute></item></menu></interface>': True,
        '<interface><object class="GtkStringList"><items><item>Fast</item></items></object></interface>': True,
        '<interface><object class="GtkLabel"><property name="label" translatable="yes">Hi</property></object></interface>': False,
        '<interface><object class="GtkButton"><property name="icon-name">list-add-symbolic</property></object></interface>': False,
        '<interface><object class="GtkLabel"><property name="label">—</property></object></interface>': False,
    }
    for snippet, should_flag in bad_ui.items():
        flagged = bool(escapes_in_ui("snippet.ui", snippet))
        check(flagged == should_flag,
              f"checker {'flags' if should_flag else 'passes'}: {snippet}")


def run_escapes(source):
    self_test_escapes()

    ui_files = [f for f in scanned_files(source) if f.endswith(".ui")]
    problems = []
    for f in ui_files:
        problems += escapes_in_ui(f, read_text(os.path.join(source, f)))
    check(bool(ui_files) and not problems,
          f"every user-visible text in {len(ui_files)} .ui files is translatable", problems)

    # The window's C code; errors made there end up in toasts
    c_files = [f for f in scanned_files(source) if f.startswith(os.path.join("app", "gui")) and f.endswith(".c")]
    problems = []
    for f in c_files:
        problems += escapes_in_c(f, read_text(os.path.join(source, f)), include_errors=True)
    check(bool(c_files) and not problems,
          f"no user-visible string in {len(c_files)} C files of the window escapes gettext", problems)


# --- the catalogs --------------------------------------------------------------

# meson's 'glib' preset for xgettext (mesonbuild/modules/i18n.py), which makes
# the template that translators get: the same keywords make the same messages
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format",
]

STATISTICS = re.compile(r"(\d+) translated messages?(?:, (\d+) fuzzy translations?)?"
                        r"(?:, (\d+) untranslated messages?)?")


def run(cmd, **kwargs):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              env=dict(os.environ, LC_ALL="C", LANGUAGE=""), **kwargs)
    except FileNotFoundError:
        return subprocess.CompletedProcess(cmd, 127, "", f"{cmd[0]} is not installed (Debian: apt-get install gettext)")


def statistics(catalog):
    """msgfmt's verdict and its counts: translated, fuzzy, untranslated."""
    fmt = run(["msgfmt", "--check", "--statistics", "--output-file=/dev/null", catalog])
    stats = STATISTICS.search(fmt.stderr)
    counts = tuple(int(stats.group(k) or 0) for k in (1, 2, 3)) if stats else (-1, -1, -1)
    return fmt, counts


def run_catalogs(source):
    po_dir = os.path.join(source, "po")
    languages = [w for line in read_text(os.path.join(po_dir, "LINGUAS")).splitlines()
                 if not line.strip().startswith("#") for w in line.split()]
    check(len(languages) >= 3, f"po/LINGUAS lists {len(languages)} languages: {' '.join(languages)}")

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "soundstyle.pot")
        made = run(["xgettext", *XGETTEXT_ARGS, "--package-name=soundstyle",
                    "--files-from=" + os.path.join(po_dir, "POTFILES.in"),
                    "--directory=" + source, "--output=" + pot])
        check(made.returncode == 0 and os.path.isfile(pot),
              "xgettext makes a template from POTFILES.in", made.stderr.splitlines())
        if made.returncode != 0:
            return
        # A template's messages are all untranslated
        n_template = statistics(pot)[1][2]
        print(f"# template: {n_template} messages")

        for lang in languages:
            po = os.path.join(po_dir, lang + ".po")
            if not os.path.isfile(po):
                check(False, f"{lang}: po/{lang}.po exists")
                continue
            fmt, (translated, fuzzy, untranslated) = statistics(po)
            print(f"# {lang}: {fmt.stderr.strip()}")
            check(fmt.returncode == 0, f"{lang}: msgfmt --check passes",
                  fmt.stderr.splitlines())
            check(fuzzy == 0 and untranslated == 0,
                  f"{lang}: no fuzzy or untranslated messages ({fuzzy} fuzzy, {untranslated} untranslated)")
            check(translated == n_template,
                  f"{lang}: {translated} translated messages, the template has {n_template}")
            # Every message of the template, by text, has its translation
            # (msgcmp treats fuzzy and untranslated ones as missing)
            cmp = run(["msgcmp", po, pot])
            check(cmp.returncode == 0, f"{lang}: translates every message of the current template",
                  cmp.stderr.splitlines()[:20])


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("potfiles", "escapes", "catalogs"):
        print(__doc__ if __doc__ else "", file=sys.stderr)
        print("usage: check-translations.py potfiles|escapes|catalogs SOURCE_DIR", file=sys.stderr)
        return 2
    source = sys.argv[2]
    {"potfiles": run_potfiles, "escapes": run_escapes, "catalogs": run_catalogs}[sys.argv[1]](source)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
