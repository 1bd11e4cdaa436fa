#version 330 core
// Text over its background: the coverage of the glyphs (a mono texture)
// mixes the font colour over the background, both premultiplied.
in vec2 vUV;
uniform sampler2D uCover;
uniform vec4 uFont, uBack; // premultiplied
out vec4 fragColor;
void main() {
    float c = texture(uCover, vUV).r;
    fragColor = uFont * c + uBack * (1.0 - uFont.a * c);
}
