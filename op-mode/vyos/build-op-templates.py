#!/usr/bin/python3
"""Turns VyOS op-mode XML definitions into node.def templates.

The layout is VyOS's own (vyos-1x scripts/build-command-op-templates): a
node or leafNode NAME is NAME/node.def; a tagNode NAME is NAME/node.def
(help only) plus NAME/node.tag/node.def (help, allowed, run). A node.def
holds "help:", an optional "allowed:" (the completion values) and "run:".
"$N" in a command is the N-th word typed: the op-mode shell substitutes it
at run time. This generator checks that every $N names a tag node's value.
A node without properties and command (e.g. VyOS's own "show") gets no
node.def: only the packages' own subdirectories are written.

usage: build-op-templates.py OUTPUT_DIR XML...
"""

import os
import re
import sys
import xml.etree.ElementTree as ET


class DefinitionError(Exception):
    pass


def completion(props):
    """The allowed: command of a properties element, or None."""
    exprs = []
    for ch in props.findall("completionHelp"):
        for item in ch:
            text = " ".join((item.text or "").split())
            if item.tag == "list":
                exprs.append('echo "{}"'.format(text))
            elif item.tag == "path":
                exprs.append("/bin/cli-shell-api listActiveNodes {} | sed -e \"s/'//g\" && echo".format(text))
            elif item.tag == "script":
                exprs.append('sh -c "{}"'.format(text.replace('"', '\\"')))
            else:
                raise DefinitionError("unknown completionHelp item <{}>".format(item.tag))
    return "; ".join(exprs) if exprs else None


def node_def(help_text, allowed, command):
    out = ""
    if help_text:
        out += "help: {}\n".format(help_text)
    if allowed:
        out += "allowed: {}\n".format(allowed)
    if command:
        out += "run: {}\n".format(command)
    return out


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def process(elem, parent_dir, words, tag_positions, written):
    name = elem.get("name")
    if not name:
        raise DefinitionError("<{}> without a name".format(elem.tag))
    words = words + [name]
    where = " ".join(words)
    props = elem.find("properties")
    help_text = None
    allowed = None
    if props is not None:
        h = props.find("help")
        help_text = " ".join((h.text or "").split()) if h is not None else None
        allowed = completion(props)
    cmd = elem.find("command")
    command = " ".join((cmd.text or "").split()) if cmd is not None else None

    my_dir = os.path.join(parent_dir, name)
    positions = list(tag_positions)
    if elem.tag == "tagNode":
        positions.append(len(words) + 1)  # the value follows the tag word
    if command:
        for n in re.findall(r"\$\{?(\d+)\}?", command):
            if int(n) not in positions:
                raise DefinitionError(
                    "{}: ${} in the command is not the value of a tag node (values at {})".format(
                        where, n, positions or "none"))
    if elem.tag == "leafNode" and (command is None or props is None):
        raise DefinitionError("{}: a leafNode needs properties and a command".format(where))

    if elem.tag == "tagNode":
        write(os.path.join(my_dir, "node.def"), node_def(help_text, None, None))
        written.append(os.path.join(my_dir, "node.def"))
        inner = os.path.join(my_dir, "node.tag", "node.def")
        write(inner, node_def(help_text, allowed, command))
        written.append(inner)
        child_dir = os.path.join(my_dir, "node.tag")
        child_words = words + ["<value>"]
    else:
        if props is not None or command:
            write(os.path.join(my_dir, "node.def"), node_def(help_text, allowed, command))
            written.append(os.path.join(my_dir, "node.def"))
        child_dir = my_dir
        child_words = words
    children = elem.find("children")
    if children is not None:
        if elem.tag == "leafNode":
            raise DefinitionError("{}: a leafNode has no children".format(where))
        for c in children:
            process(c, child_dir, child_words, positions, written)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__.split("\n\n")[-1])
        return 64
    out_dir = argv[1]
    written = []
    try:
        for path in argv[2:]:
            root = ET.parse(path).getroot()
            if root.tag != "interfaceDefinition":
                raise DefinitionError("{}: the root is not <interfaceDefinition>".format(path))
            for n in root:
                process(n, out_dir, [], [], written)
    except (DefinitionError, ET.ParseError) as e:
        sys.stderr.write("build-op-templates: {}\n".format(e))
        return 65
    for w in sorted(written):
        print(os.path.relpath(w, out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
