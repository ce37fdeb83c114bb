#!/usr/bin/env bash
# Build paper/paper.pdf with latexmk. When latexmk, pdflatex or a LaTeX package the paper
# uses is missing, install Debian's TeX packages first (apt-get; root or sudo needed).
# Figures and paper/generated/ come from `make figures` (make paper runs it first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

# Debian packages: latexmk, pdflatex and the LaTeX packages paper.tex loads
# (geometry, booktabs, natbib, microtype, caption: texlive-latex-recommended; lmodern).
debs=(latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern)
styles=(geometry.sty booktabs.sty natbib.sty microtype.sty caption.sty lmodern.sty hyperref.sty
        xcolor.sty graphicx.sty amsmath.sty url.sty array.sty plainnat.bst)

missing() {
    command -v latexmk >/dev/null 2>&1 || return 0
    command -v pdflatex >/dev/null 2>&1 || return 0
    command -v kpsewhich >/dev/null 2>&1 || return 0
    local sty
    for sty in "${styles[@]}"; do
        [ -n "$(kpsewhich "$sty")" ] || return 0
    done
    return 1
}

if missing; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "paper/build.sh: latexmk/pdflatex missing and no apt-get; install a TeX" \
             "distribution with: ${debs[*]}" >&2
        exit 1
    fi
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
            echo "paper/build.sh: installing TeX needs root: apt-get install ${debs[*]}" >&2
            exit 1
        fi
    fi
    echo "Installing Debian TeX packages: ${debs[*]}"
    started=$(date +%s)
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${debs[@]}"; then
        "${sudo[@]}" apt-get update -q
        "${sudo[@]}" apt-get install -y -q --no-install-recommends "${debs[@]}"
    fi
    echo "TeX installed in $(( $(date +%s) - started )) s"
fi

for f in generated/numbers.tex; do
    if [ ! -f "$f" ]; then
        echo "paper/build.sh: $f is missing: run make figures first" >&2
        exit 1
    fi
done

latexmk -pdf -interaction=nonstopmode -halt-on-error -file-line-error paper.tex
echo "paper/paper.pdf written"
