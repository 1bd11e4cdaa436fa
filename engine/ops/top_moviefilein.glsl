#version 330 core
// A decoded movie frame to RGB: planar YUV (Y, Cb, Cr in three mono
// textures, the chroma ones smaller when subsampled) through the file's
// matrix and range, or RGBA as it is. The decoder's rows run top to
// bottom, a texture's bottom to top: the image is read upside down.
in vec2 vUV;
uniform sampler2D uY, uU, uV;
uniform int uRGBA;      // 1: uY holds RGBA
uniform float uCode;    // a texel's value times this is its code (255, 65535)
uniform vec4 uRange;    // Y offset, Y span, C offset, C span, in codes
uniform vec2 uKrKb;     // the matrix's red and blue weights
out vec4 fragColor;
void main() {
    vec2 uv = vec2(vUV.x, 1.0 - vUV.y);
    if (uRGBA == 1) {
        fragColor = texture(uY, uv);
        return;
    }
    float y = (texture(uY, uv).r * uCode - uRange.x) / uRange.y;
    float cb = (texture(uU, uv).r * uCode - uRange.z) / uRange.w;
    float cr = (texture(uV, uv).r * uCode - uRange.z) / uRange.w;
    float kr = uKrKb.x, kb = uKrKb.y, kg = 1.0 - kr - kb;
    float r = y + 2.0 * (1.0 - kr) * cr;
    float b = y + 2.0 * (1.0 - kb) * cb;
    float g = (y - kr * r - kb * b) / kg;
    fragColor = vec4(clamp(vec3(r, g, b), 0.0, 1.0), 1.0);
}
